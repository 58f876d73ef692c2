import { CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { MorphSweepActivities } from '../activities/index.ts';
import type { RetrainResult, RetrainWorkflowInput } from '../src/sweep/orchestration.ts';
import { BOOKKEEPING_ACTIVITY_OPTIONS, trainingActivityOptions } from './activity-options.ts';
import { describeFailure } from './sweep.ts';

const bookkeeping = proxyActivities<MorphSweepActivities>(BOOKKEEPING_ACTIVITY_OPTIONS);

/**
 * Retrain a learned structure from scratch without the regularizer (MorphNet's second phase),
 * optionally widened or narrowed by a uniform multiplier or to the widest that meets a target cost.
 */
export async function retrainWorkflow(input: RetrainWorkflowInput): Promise<RetrainResult> {
  const training = proxyActivities<MorphSweepActivities>(trainingActivityOptions(input.options, input.retrainId));
  try {
    return await training.retrainStructure(input);
  } catch (error) {
    const { retrainId } = input;
    // Recorded even when the workflow itself was cancelled (e.g. before its activity ever ran).
    await CancellationScope.nonCancellable(() =>
      isCancellation(error)
        ? bookkeeping.recordRetrainCancelled({ retrainId })
        : bookkeeping.recordRetrainFailure({ retrainId, error: describeFailure(error) }),
    );
    throw error;
  }
}
