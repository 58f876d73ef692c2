import { ApplicationFailure, Context } from '@temporalio/activity';
import type * as tf from '@tensorflow/tfjs';
import type { PrismaClient } from '../src/db/client.ts';
import { deleteCheckpoint } from '../src/db/repositories/checkpoints.ts';
import { cancelRun, completeRun, failRun, getRun, markRunStarted, recordRunStep } from '../src/db/repositories/runs.ts';
import { applyStructure, createNetworkRegularizer, exportStructure, type NetworkRegularizer } from '../src/morphnet/index.ts';
import { latencyHardwareOf } from '../src/sweep/config.ts';
import type { LearnStructureInput, LearnStructureResult } from '../src/sweep/orchestration.ts';
import type { TrainingHeartbeat } from '../src/sweep/progress.ts';
import { settledOffTarget } from '../src/sweep/target-search.ts';
import { learnStructure, type TrainProgress } from '../src/train/index.ts';
import { postgresCheckpointStore } from './checkpoint-store.ts';
import { CurveBuffer } from './curve-buffer.ts';
import { cancellationKind, errorMessageOf, nonRetryableTypeOf, workerShutdownFailure } from './failures.ts';
import { buildSeedNetwork, costsOf, loadSweepDataset } from './networks.ts';

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
    const existing = await getRun(prisma, runId);
    // An attempt that finished after its heartbeat timed out already stored the result: keep it.
    if (existing.status === 'completed') return resultOf(existing);

    const dataset = await loadSweepDataset(config);
    const model = buildSeedNetwork(config, dataset, point.seed);
    const models: tf.LayersModel[] = [model];
    let regularizer: NetworkRegularizer | undefined;
    try {
      regularizer = createNetworkRegularizer(model, {
        algorithm: config.regularizer.algorithm,
        cost: config.regularizer.cost,
        threshold: point.threshold,
        hardware: config.regularizer.cost === 'latency' ? latencyHardwareOf(config) : undefined,
      });
      const curve = new CurveBuffer(prisma, runId, Math.min(CURVE_BATCH_STEPS, config.training.checkpointEvery));
      let totalStepsReported = false;
      const started = await markRunStarted(prisma, runId, {
        attempt: context.info.attempt,
        workerIdentity: workerIdentity(),
        totalSteps: config.training.steps ?? 0,
      });
      if (!started) return resultOf(await getRun(prisma, runId));
      let latestAccuracy: number | null = null;
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
        context.heartbeat(heartbeat);
        if (!totalStepsReported && config.training.steps === undefined) {
          totalStepsReported = true;
          await prisma.run.update({ where: { id: runId }, data: { totalSteps: progress.totalSteps } });
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
        ...(config.training.steps !== undefined ? { steps: config.training.steps } : { epochs: config.training.epochs }),
        optimizer: config.training.optimizer,
        learningRate: config.training.learningRate,
        weightDecay: config.training.weightDecay,
        batchSize: config.training.batchSize,
        evalEvery: config.training.evalEvery,
        seed: point.seed,
        signal: context.cancellationSignal,
        onProgress,
        shouldStop,
        // Curve first: a checkpoint never runs ahead of the points stored before it.
        checkpoint: postgresCheckpointStore(prisma, { runId }, config.training.checkpointEvery, {
          beforeSave: () => curve.flush(),
          afterSave: (step) => recordRunStep(prisma, runId, step),
        }),
      });
      await curve.flush();

      const structure = exportStructure(regularizer, {
        algorithm: config.regularizer.algorithm,
        cost: config.regularizer.cost,
        threshold: point.threshold,
        strength: point.strength,
        step: trained.steps,
        network: config.network.name,
        inputShape: [...dataset.inputShape],
        numClasses: dataset.numClasses,
        seedOptions: { widthMultiplier: config.network.widthMultiplier, seed: point.seed },
      });
      // The hard cost on every axis is that of the network the structure rebuilds to.
      const rebuilt = applyStructure(buildSeedNetwork(config, dataset, point.seed, { gated: false }), structure);
      models.push(rebuilt);
      const costs = costsOf(rebuilt, config);
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
      await completeRun(prisma, runId, { ...result, step: trained.steps, structure });
      await deleteCheckpoint(prisma, { runId });
      return result;
    } catch (error) {
      throw await failureFor(prisma, runId, error);
    } finally {
      // A worker runs run after run: the regularizer's tables go with the run's models.
      regularizer?.dispose();
      for (const built of models) built.dispose();
    }
  };
}

/** Record what happened on the run and pick the error Temporal should see. */
async function failureFor(prisma: PrismaClient, runId: string, error: unknown): Promise<unknown> {
  const cancellation = cancellationKind();
  if (cancellation === 'worker-shutdown') return workerShutdownFailure();
  if (cancellation === 'cancelled') {
    await cancelRun(prisma, runId);
    // A cancelled run is never resumed; its checkpoint would only take space.
    await deleteCheckpoint(prisma, { runId });
    return error;
  }
  const nonRetryableType = nonRetryableTypeOf(error);
  if (nonRetryableType === undefined) return error;
  const reason = errorMessageOf(error);
  await failRun(prisma, runId, reason);
  return ApplicationFailure.nonRetryable(reason, nonRetryableType);
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
