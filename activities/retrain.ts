import { ApplicationFailure, Context } from '@temporalio/activity';
import type * as tf from '@tensorflow/tfjs';
import type { PrismaClient } from '../src/db/client.ts';
import { deleteCheckpoint } from '../src/db/repositories/checkpoints.ts';
import { cancelRetrainAttempt, completeRetrain, failRetrainAttempt, getRetrain, markRetrainRunning, recordRetrainStep } from '../src/db/repositories/retrains.ts';
import { getRun } from '../src/db/repositories/runs.ts';
import { getSweep } from '../src/db/repositories/sweeps.ts';
import { engineLabel, initEngine } from '../src/engine/index.ts';
import { applyStructure, largestWidthMultiplierUnderCost, uniformStructureOf, type StructureJson } from '../src/morphnet/index.ts';
import { latencyHardwareOf, type SweepConfig } from '../src/sweep/config.ts';
import type { RetrainResult, RetrainWorkflowInput } from '../src/sweep/orchestration.ts';
import type { TrainingHeartbeat } from '../src/sweep/progress.ts';
import { retrain } from '../src/train/index.ts';
import { postgresCheckpointStore } from './checkpoint-store.ts';
import { cancellationKind, errorMessageOf, nonRetryableTypeOf, staleAttemptFailure, workerShutdownFailure } from './failures.ts';
import { buildSweepNetwork, costsOf, loadSweepDataset, trainingKnobsOf } from './networks.ts';
import { saveRetrainExport } from '../src/db/repositories/retrain-exports.ts';
import { exportLayersModel, inputNormalizationMetadata } from '../src/models/user-model.ts';

/** Retrain progress reaches the Retrain row this often (the dashboard polls it). */
const STEP_RECORD_EVERY = 10;

/**
 * MorphNet's second phase: the learned structure (optionally rescaled) rebuilt with fresh weights and
 * trained without the regularizer on the sweep's own training recipe. A user's model is rebuilt from
 * its own topology at the learned widths, fresh from its layers' initializers, as MorphNet retrains
 * from scratch; the result is stored as a TF.js Layers model for download. Checkpoints every
 * `checkpointEvery` steps like a sweep run: a retry after a lost worker resumes where it left off.
 */
export function createRetrainActivity({ prisma }: { prisma: PrismaClient }) {
  return async function retrainStructure(input: RetrainWorkflowInput): Promise<RetrainResult> {
    const context = Context.current();
    // Every write below is fenced by this attempt number: a newer attempt's writes win.
    const { attempt } = context.info;
    const owner = { retrainId: input.retrainId };
    const existing = await getRetrain(prisma, input.retrainId);
    if (existing.status === 'completed') return storedResult(existing);
    const run = await getRun(prisma, input.runId);
    const sweep = await getSweep(prisma, run.sweepId);
    const config = sweep.config as unknown as SweepConfig;
    if (run.structure === null) {
      throw ApplicationFailure.nonRetryable(`run ${run.id} has no learned structure (it is ${run.status})`, 'InvalidInput');
    }
    const learned = run.structure as unknown as StructureJson;
    // An evidence baseline arm trains the seed network itself, uniformly scaled.
    const structure = input.uniform ? uniformStructureOf(learned) : learned;
    const seed = input.seed ?? run.seed;
    const dataset = await loadSweepDataset(config);
    const models: tf.LayersModel[] = [];
    try {
      const seedNetwork = await buildSweepNetwork(prisma, config, dataset, seed, { gated: false });
      models.push(seedNetwork.model);
      const widthMultiplier =
        input.targetCost !== undefined
          ? largestWidthMultiplierUnderCost(seedNetwork.model, structure, {
              cost: config.regularizer.cost,
              targetCost: input.targetCost,
              ...(config.regularizer.cost === 'latency' ? { hardware: latencyHardwareOf(config) } : {}),
            })
          : (input.widthMultiplier ?? 1);
      const model = applyStructure(seedNetwork.model, structure, { widthMultiplier });
      models.push(model);
      const costs = costsOf(model, config);
      if (!(await markRetrainRunning(prisma, input.retrainId, attempt, config.training.steps ?? 0, engineLabel(await initEngine())))) {
        return storedResult(await getRetrain(prisma, input.retrainId));
      }
      let lastHeartbeat: TrainingHeartbeat | undefined;
      const trained = await retrain({
        model,
        dataset,
        ...trainingKnobsOf(config),
        seed,
        signal: context.cancellationSignal,
        onProgress: async (progress) => {
          lastHeartbeat = { step: progress.step, totalSteps: progress.totalSteps, loss: progress.taskLoss, regLoss: 0, cost: 0, accuracy: progress.valAccuracy ?? null };
          context.heartbeat(lastHeartbeat);
          if (progress.step % STEP_RECORD_EVERY === 0) await recordRetrainStep(prisma, input.retrainId, attempt, progress.step);
        },
        // Scoring the whole validation and test splits can outlast the heartbeat timeout.
        onFinalEvaluation: () => context.heartbeat(lastHeartbeat),
        checkpoint: postgresCheckpointStore(prisma, owner, attempt, config.training.checkpointEvery),
      });
      const result: RetrainResult = {
        retrainId: input.retrainId,
        widthMultiplier,
        costFlops: costs.flops,
        costModelSize: costs.modelSize,
        costLatencyNs: costs.latencyNs,
        // loadSweepDataset refuses an empty validation split, so there is a validation accuracy.
        valAccuracy: trained.valAccuracy!,
        testAccuracy: trained.testAccuracy,
        resumedFromStep: trained.resumedFromStep,
      };
      const exported = await exportLayersModel(model, { outputSoftmax: seedNetwork.outputSoftmax });
      await saveRetrainExport(prisma, input.retrainId, { ...exported, metadata: inputNormalizationMetadata(dataset.normalization) });
      const stored = { ...result, step: trained.steps, structure: { source: structure, widthMultiplier } };
      // False only if the row is completed already (by an attempt that owned it): that result stands.
      if (!(await completeRetrain(prisma, input.retrainId, attempt, stored))) return storedResult(await getRetrain(prisma, input.retrainId));
      await deleteCheckpoint(prisma, owner);
      return result;
    } catch (error) {
      const stale = staleAttemptFailure(error);
      if (stale) throw stale;
      const cancellation = cancellationKind();
      if (cancellation === 'worker-shutdown') throw workerShutdownFailure();
      // A cancelled retrain is never resumed.
      if (cancellation === 'cancelled') {
        await cancelRetrainAttempt(prisma, input.retrainId, attempt);
        await deleteCheckpoint(prisma, owner);
      }
      const nonRetryableType = nonRetryableTypeOf(error);
      if (nonRetryableType === undefined) throw error;
      try {
        await failRetrainAttempt(prisma, input.retrainId, attempt, errorMessageOf(error));
      } catch (writeError) {
        throw staleAttemptFailure(writeError) ?? writeError;
      }
      throw ApplicationFailure.nonRetryable(errorMessageOf(error), nonRetryableType);
    } finally {
      for (const model of models) model.dispose();
    }
  };
}

function storedResult(retrain: {
  id: string;
  widthMultiplier: number | null;
  costFlops: number | null;
  costModelSize: number | null;
  costLatencyNs: number | null;
  valAccuracy: number | null;
  testAccuracy: number | null;
}): RetrainResult {
  return {
    retrainId: retrain.id,
    widthMultiplier: retrain.widthMultiplier ?? 1,
    costFlops: retrain.costFlops ?? 0,
    costModelSize: retrain.costModelSize ?? 0,
    costLatencyNs: retrain.costLatencyNs ?? 0,
    valAccuracy: retrain.valAccuracy ?? 0,
    testAccuracy: retrain.testAccuracy ?? 0,
    resumedFromStep: 0,
  };
}
