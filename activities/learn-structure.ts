import { ApplicationFailure, Context } from '@temporalio/activity';
import type * as tf from '@tensorflow/tfjs';
import type { PrismaClient } from '../src/db/client.ts';
import { deleteCheckpoint } from '../src/db/repositories/checkpoints.ts';
import { curveOfRun, dropCurveAfter } from '../src/db/repositories/curves.ts';
import { cancelRunAttempt, completeRun, failRunAttempt, getRun, markRunStarted, recordRunTotalSteps } from '../src/db/repositories/runs.ts';
import { engineLabel, initEngine } from '../src/engine/index.ts';
import { applyStructure, NARROWEST_WIDTH_MULTIPLIER, createNetworkRegularizer, exportStructure, type NetworkRegularizer } from '../src/morphnet/index.ts';
import { isUserNetwork, latencyHardwareOf, type SweepConfig } from '../src/sweep/config.ts';
import type { LearnStructureInput, LearnStructureResult } from '../src/sweep/orchestration.ts';
import type { TrainingHeartbeat } from '../src/sweep/progress.ts';
import { settledOffTarget } from '../src/sweep/target-search.ts';
import { learnStructure, type TrainProgress } from '../src/train/index.ts';
import { postgresCheckpointStore } from './checkpoint-store.ts';
import { CurveBuffer } from './curve-buffer.ts';
import { cancellationKind, errorMessageOf, nonRetryableTypeOf, staleAttemptFailure, workerShutdownFailure } from './failures.ts';
import { buildSweepNetwork, costsOf, loadSweepDataset, trainingKnobsOf } from './networks.ts';

/** Steps per curve INSERT when checkpoints are further apart than this. */
const CURVE_BATCH_STEPS = 25;

/**
 * One grid point of a sweep: train the seed network with the MorphNet regularizer, then store the
 * learned structure's hard costs (all axes) and accuracies. Heartbeats carry live progress; a retry
 * resumes from the run's checkpoint in Postgres.
 */
export function createLearnStructureActivity({ prisma }: { prisma: PrismaClient }) {
  return async function learnStructureActivity(input: LearnStructureInput): Promise<LearnStructureResult> {
    const { runId, config, point } = input;
    const context = Context.current();
    // Every write below is fenced by this attempt number: a newer attempt's writes win.
    const { attempt } = context.info;
    const existing = await getRun(prisma, runId);
    // An attempt that finished after its heartbeat timed out already stored the result: keep it.
    if (existing.status === 'completed') return resultOf(existing);

    const dataset = await loadSweepDataset(config);
    // A user model with weights starts from them: fine-tuning is how MorphNet is run on a trained network.
    const { model } = await buildSweepNetwork(prisma, config, dataset, point.seed, { startingWeights: true });
    const models: tf.LayersModel[] = [model];
    let regularizer: NetworkRegularizer | undefined;
    try {
      regularizer = createNetworkRegularizer(model, {
        algorithm: config.regularizer.algorithm,
        cost: config.regularizer.cost,
        threshold: point.threshold,
        hardware: config.regularizer.cost === 'latency' ? latencyHardwareOf(config) : undefined,
      });
      const curve = new CurveBuffer(prisma, runId, attempt, Math.min(CURVE_BATCH_STEPS, config.training.checkpointEvery));
      let totalStepsReported = false;
      const started = await markRunStarted(prisma, runId, {
        attempt,
        workerIdentity: workerIdentity(),
        totalSteps: config.training.steps ?? 0,
        engine: engineLabel(await initEngine()),
      });
      if (!started) return resultOf(await getRun(prisma, runId));
      let latestAccuracy: number | null = null;
      let lastHeartbeat: TrainingHeartbeat | undefined;
      // A target-cost search probe stops once its cost settled clearly off target.
      const costHistory: { step: number; cost: number }[] = [];
      const shouldStop = input.earlyStop
        ? (progress: TrainProgress) => (costHistory.push({ step: progress.step, cost: progress.cost ?? 0 }), settledOffTarget(costHistory, progress.totalSteps, input.earlyStop!))
        : undefined;
      const onProgress = async (progress: TrainProgress): Promise<void> => {
        if (progress.valAccuracy !== undefined) latestAccuracy = progress.valAccuracy;
        const heartbeat: TrainingHeartbeat = {
          step: progress.step,
          totalSteps: progress.totalSteps,
          loss: progress.taskLoss,
          regLoss: progress.regLoss,
          cost: progress.cost ?? 0,
          accuracy: latestAccuracy,
        };
        lastHeartbeat = heartbeat;
        context.heartbeat(heartbeat);
        if (!totalStepsReported && config.training.steps === undefined) {
          totalStepsReported = true;
          await recordRunTotalSteps(prisma, runId, attempt, progress.totalSteps);
        }
        await curve.add({
          step: progress.step,
          taskLoss: progress.taskLoss,
          regLoss: progress.regLoss,
          cost: progress.cost ?? 0,
          valAccuracy: progress.valAccuracy ?? null,
        });
      };

      const trained = await learnStructure({
        model,
        dataset,
        regularizer,
        strength: point.strength,
        ...trainingKnobsOf(config),
        seed: point.seed,
        signal: context.cancellationSignal,
        onProgress,
        // Scoring the whole validation and test splits can outlast the heartbeat timeout.
        onFinalEvaluation: () => context.heartbeat(lastHeartbeat),
        shouldStop,
        // Curve first: a checkpoint never runs ahead of the points stored before it.
        checkpoint: postgresCheckpointStore(prisma, { runId }, attempt, config.training.checkpointEvery, {
          beforeSave: () => curve.flush(),
          // From the step it resumes at, the curve is this attempt's own.
          afterLoad: async (step) => {
            await dropCurveAfter(prisma, runId, attempt, step);
            // The early stop looks back a quarter of the run: a resumed probe must see the costs its
            // earlier attempts learned, or it would stop (or not) where an uninterrupted one does not.
            if (input.earlyStop) costHistory.splice(0, costHistory.length, ...(await curveOfRun(prisma, runId)).map(({ step, cost }) => ({ step, cost })));
          },
        }),
      });
      await curve.flush();

      const structure = exportStructure(regularizer, {
        algorithm: config.regularizer.algorithm,
        cost: config.regularizer.cost,
        threshold: point.threshold,
        strength: point.strength,
        step: trained.steps,
        ...networkMeta(config, point.seed),
        inputShape: [...dataset.inputShape],
        numClasses: dataset.numClasses,
      });
      // The hard cost on every axis is that of the network the structure rebuilds to.
      const { model: ungated } = await buildSweepNetwork(prisma, config, dataset, point.seed, { gated: false });
      models.push(ungated);
      const rebuilt = applyStructure(ungated, structure);
      models.push(rebuilt);
      const costs = costsOf(rebuilt, config);
      const narrowest = applyStructure(ungated, structure, { widthMultiplier: NARROWEST_WIDTH_MULTIPLIER });
      models.push(narrowest);
      const narrowestCost = costsOf(narrowest, config);
      const result: LearnStructureResult = {
        costFlops: costs.flops,
        costModelSize: costs.modelSize,
        costLatencyNs: costs.latencyNs,
        // loadSweepDataset refuses an empty validation split, so there is a validation accuracy.
        valAccuracy: trained.valAccuracy!,
        testAccuracy: trained.testAccuracy,
        resumedFromStep: trained.resumedFromStep,
        steps: trained.steps,
      };
      // False only if the row is completed already (by an attempt that owned it): that result stands.
      if (!(await completeRun(prisma, runId, attempt, { ...result, step: trained.steps, structure, narrowestCost }))) return resultOf(await getRun(prisma, runId));
      await deleteCheckpoint(prisma, { runId });
      return result;
    } catch (error) {
      throw await failureFor(prisma, runId, attempt, error);
    } finally {
      // A worker runs run after run: the regularizer's tables go with the run's models.
      regularizer?.dispose();
      for (const built of models) built.dispose();
    }
  };
}

/** Record what happened on the run and pick the error Temporal should see. */
async function failureFor(prisma: PrismaClient, runId: string, attempt: number, error: unknown): Promise<unknown> {
  const stale = staleAttemptFailure(error);
  if (stale) return stale;
  const cancellation = cancellationKind();
  if (cancellation === 'worker-shutdown') return workerShutdownFailure();
  if (cancellation === 'cancelled') {
    await cancelRunAttempt(prisma, runId, attempt);
    // A cancelled run is never resumed; its checkpoint would only take space.
    await deleteCheckpoint(prisma, { runId });
    return error;
  }
  const nonRetryableType = nonRetryableTypeOf(error);
  if (nonRetryableType === undefined) return error;
  const reason = errorMessageOf(error);
  try {
    await failRunAttempt(prisma, runId, attempt, reason);
  } catch (writeError) {
    // A newer attempt owns the run: its outcome, not this attempt's failure, is the run's.
    return staleAttemptFailure(writeError) ?? writeError;
  }
  return ApplicationFailure.nonRetryable(reason, nonRetryableType);
}

/** What the structure records about the network it was learned on. */
function networkMeta(config: SweepConfig, seed: number): { network: string; seedOptions: Record<string, unknown> } {
  if (isUserNetwork(config.network)) {
    return { network: config.network.model, seedOptions: { initialWeights: config.network.initialWeights ?? 'stored-if-given', seed } };
  }
  return { network: config.network.name, seedOptions: { widthMultiplier: config.network.widthMultiplier, seed } };
}

function workerIdentity(): string {
  return `${process.env.HOSTNAME ?? 'host'}:${process.pid}`;
}

function resultOf(run: {
  costFlops: number | null;
  costModelSize: number | null;
  costLatencyNs: number | null;
  valAccuracy: number | null;
  testAccuracy: number | null;
}): LearnStructureResult {
  return {
    costFlops: run.costFlops ?? 0,
    costModelSize: run.costModelSize ?? 0,
    costLatencyNs: run.costLatencyNs ?? 0,
    valAccuracy: run.valAccuracy ?? 0,
    testAccuracy: run.testAccuracy ?? 0,
    resumedFromStep: 0,
  };
}
