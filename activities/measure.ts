import type { PrismaClient } from '../src/db/client.ts';
import { storeSeedCost } from '../src/db/repositories/sweeps.ts';
import type { SweepConfig } from '../src/sweep/config.ts';
import type { SeedCost } from '../src/sweep/orchestration.ts';
import { buildSweepNetwork, costOnAxis, costsOf, loadSweepDataset } from './networks.ts';
import { checkStoredUserModel } from './user-networks.ts';
import { ApplicationFailure } from '@temporalio/activity';
import { errorMessageOf, nonRetryableTypeOf } from './failures.ts';

/**
 * The seed network's full-width cost on every axis; the sweep centres its strength grid on
 * 1/(cost on the target axis). Loading the dataset here also surfaces a bad dataset spec once, as
 * a failed sweep, instead of once per run.
 */
export function createMeasureActivity({ prisma }: { prisma: PrismaClient }) {
  return async function measureSeedCost({ sweepId, config }: { sweepId: string; config: SweepConfig }): Promise<SeedCost> {
    let seedCost: SeedCost;
    try {
      const dataset = await loadSweepDataset(config);
      // The API checked the model against the dataset it saw; a worker whose data differs stops here.
      await checkStoredUserModel(prisma, config, dataset);
      const { model } = await buildSweepNetwork(prisma, config, dataset, config.seeds[0] ?? 0, { gated: false });
      try {
        const costs = costsOf(model, config);
        seedCost = { ...costs, target: costOnAxis(costs, config.regularizer.cost) };
      } finally {
        model.dispose();
      }
    } catch (error) {
      const type = nonRetryableTypeOf(error);
      if (type === undefined) throw error;
      throw ApplicationFailure.nonRetryable(errorMessageOf(error), type);
    }
    await storeSeedCost(prisma, sweepId, seedCost);
    return seedCost;
  };
}
