import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PrismaClient } from '../src/db/client.ts';
import { getSweep, storeSeedAccuracy } from '../src/db/repositories/sweeps.ts';
import type { SweepConfig } from '../src/sweep/config.ts';
import { retrain } from '../src/train/index.ts';
import { cancellationKind, errorMessageOf, nonRetryableTypeOf, workerShutdownFailure } from './failures.ts';
import { buildSweepNetwork, loadSweepDataset, trainingKnobsOf } from './networks.ts';

/**
 * The reference every point of the front is read against: the full-width seed network trained on the
 * sweep's own recipe (steps, optimizer, learning rate, weight decay, first seed) without a
 * regularizer, its accuracy measured on the validation split like the runs'. Once per sweep: a
 * stored accuracy is returned as is. No checkpoints: it is one run's worth of training, and a retry
 * starts over.
 */
export function createSeedAccuracyActivity({ prisma }: { prisma: PrismaClient }) {
  return async function measureSeedAccuracy({ sweepId, config }: { sweepId: string; config: SweepConfig }): Promise<number> {
    const stored = (await getSweep(prisma, sweepId)).seedAccuracy;
    if (stored !== null) return stored;
    const context = Context.current();
    const dataset = await loadSweepDataset(config);
    const seed = config.seeds[0] ?? 0;
    // A user's model starts from its own weights, as the sweep's runs do.
    const { model } = await buildSweepNetwork(prisma, config, dataset, seed, { gated: false, startingWeights: true });
    try {
      const trained = await retrain({
        model,
        dataset,
        ...trainingKnobsOf(config),
        seed,
        signal: context.cancellationSignal,
        onProgress: (progress) =>
          context.heartbeat({ step: progress.step, totalSteps: progress.totalSteps, loss: progress.taskLoss, regLoss: 0, cost: 0, accuracy: progress.valAccuracy ?? null }),
      });
      // loadSweepDataset refuses an empty validation split, so there is a validation accuracy.
      const accuracy = trained.valAccuracy!;
      await storeSeedAccuracy(prisma, sweepId, accuracy);
      return accuracy;
    } catch (error) {
      if (cancellationKind() === 'worker-shutdown') throw workerShutdownFailure();
      const type = nonRetryableTypeOf(error);
      if (type === undefined) throw error;
      throw ApplicationFailure.nonRetryable(errorMessageOf(error), type);
    } finally {
      model.dispose();
    }
  };
}
