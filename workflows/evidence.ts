import { CancellationScope, executeChild, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { MorphSweepActivities } from '../activities/index.ts';
import { summarizeEvidence, type ArmOutcome } from '../src/sweep/evidence.ts';
import { costColumnOf, type EvidenceWorkflowInput, type EvidenceWorkflowResult } from '../src/sweep/orchestration.ts';
import { BOOKKEEPING_ACTIVITY_OPTIONS, MEASURE_ACTIVITY_OPTIONS } from './activity-options.ts';
import { retrainWorkflow } from './retrain.ts';
import { describeFailure } from './sweep.ts';

const bookkeeping = proxyActivities<MorphSweepActivities>(BOOKKEEPING_ACTIVITY_OPTIONS);
// Planning builds the seed network to find each arm's width multiplier: like measuring a seed.
const planning = proxyActivities<MorphSweepActivities>(MEASURE_ACTIVITY_OPTIONS);

/**
 * Evidence for one learned structure: N seeds of the structure retrained beside N seeds of the
 * uniformly scaled seed network at the same cost (and optionally both expanded to a second target).
 * Every arm is an ordinary retrain workflow (a child with the retrain's id), so arms checkpoint and
 * resume on another worker like any retrain. The verdict is Welch's interval of the difference.
 */
export async function evidenceWorkflow(input: EvidenceWorkflowInput): Promise<EvidenceWorkflowResult> {
  const { evidenceId } = input;
  const finish = async (result: Omit<EvidenceWorkflowResult, 'evidenceId'>, error?: string): Promise<EvidenceWorkflowResult> => {
    await CancellationScope.nonCancellable(() =>
      bookkeeping.finishEvidence({ evidenceId, status: result.status, summary: result.summary ?? undefined, error }),
    );
    return { evidenceId, ...result };
  };
  try {
    const plan = await planning.planEvidence({ evidenceId });
    const settled = await Promise.allSettled(
      plan.arms.map((arm) =>
        executeChild(retrainWorkflow, {
          workflowId: arm.retrainId,
          args: [{ retrainId: arm.retrainId, runId: plan.runId, widthMultiplier: arm.widthMultiplier, seed: arm.seed, uniform: arm.uniform, options: input.options }],
        }),
      ),
    );
    if (settled.some((outcome) => outcome.status === 'rejected' && isCancellation(outcome.reason))) {
      return await finish({ status: 'cancelled', summary: null });
    }
    const outcomes: ArmOutcome[] = [];
    const failures: string[] = [];
    settled.forEach((outcome, i) => {
      const arm = plan.arms[i];
      if (outcome.status === 'rejected') {
        failures.push(`${arm.arm} seed ${arm.seed}: ${describeFailure(outcome.reason)}`);
        return;
      }
      const { valAccuracy, testAccuracy } = outcome.value;
      outcomes.push({ arm: arm.arm, seed: arm.seed, widthMultiplier: arm.widthMultiplier, cost: outcome.value[costColumnOf(plan.costAxis)], valAccuracy, testAccuracy });
    });
    const summary = summarizeEvidence(outcomes);
    const error = failures.length > 0 ? `${failures.length} of ${plan.arms.length} arms failed: ${failures.join('; ')}` : undefined;
    // Failed arms shrink the samples; without any comparison left the evidence run failed.
    return await finish({ status: summary.comparisons.length > 0 ? 'completed' : 'failed', summary }, error);
  } catch (error) {
    if (isCancellation(error)) return await finish({ status: 'cancelled', summary: null });
    return await finish({ status: 'failed', summary: null }, describeFailure(error));
  }
}
