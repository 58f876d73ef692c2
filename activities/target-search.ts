import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../src/db/client.ts';
import { getRun } from '../src/db/repositories/runs.ts';
import { getSweep, storeTargetSearch } from '../src/db/repositories/sweeps.ts';
import { largestWidthMultiplierUnderCost, StructureError, type StructureJson } from '../src/morphnet/index.ts';
import { latencyHardwareOf, type SweepConfig } from '../src/sweep/config.ts';
import type { TargetSearchState } from '../src/sweep/target-search.ts';
import { buildSweepNetwork, loadSweepDataset } from './networks.ts';

/** The target-cost search workflow's activities: record its rounds, and size a near-miss structure. */
export function createTargetSearchActivities({ prisma }: { prisma: PrismaClient }) {
  return {
    async recordTargetSearch({ sweepId, state }: { sweepId: string; state: TargetSearchState }): Promise<void> {
      await storeTargetSearch(prisma, sweepId, state);
    },

    /**
     * When no strength lands on the target: the width multiplier that brings a near structure (the
     * cheaper of the two) as close to the target as it gets without exceeding it; null if none does.
     */
    async suggestWidthMultiplier({ runId, targetCost }: { runId: string; targetCost: number }): Promise<number | null> {
      const run = await getRun(prisma, runId);
      if (run.structure === null) throw ApplicationFailure.nonRetryable(`run ${runId} has no structure`, 'InvalidInput');
      const config = (await getSweep(prisma, run.sweepId)).config as unknown as SweepConfig;
      const dataset = await loadSweepDataset(config);
      const seedNetwork = (await buildSweepNetwork(prisma, config, dataset, run.seed, { gated: false })).model;
      try {
        return largestWidthMultiplierUnderCost(seedNetwork, run.structure as unknown as StructureJson, {
          cost: config.regularizer.cost,
          targetCost,
          ...(config.regularizer.cost === 'latency' ? { hardware: latencyHardwareOf(config) } : {}),
        });
      } catch (error) {
        if (error instanceof StructureError) return null;
        throw error;
      } finally {
        seedNetwork.dispose();
      }
    },
  };
}
