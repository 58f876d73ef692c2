import type { PrismaClient } from '../src/db/client.ts';
import { cancelUnfinishedRuns, failRun, registerRuns, type RunRegistration } from '../src/db/repositories/runs.ts';
import { cancelRetrain, failRetrain } from '../src/db/repositories/retrains.ts';
import { finishSweep, markSweepRunning, type FinalSweepStatus } from '../src/db/repositories/sweeps.ts';

/**
 * The sweep workflow's writes to Postgres. Each is idempotent (Temporal may run an activity more
 * than once), and a failed write (e.g. the database restarting) is simply retried by Temporal.
 */
export function createBookkeepingActivities({ prisma }: { prisma: PrismaClient }) {
  return {
    async markSweepRunning({ sweepId }: { sweepId: string }): Promise<void> {
      await markSweepRunning(prisma, sweepId);
    },

    async registerRuns({ sweepId, runs, totalSteps }: { sweepId: string; runs: RunRegistration[]; totalSteps: number }): Promise<number> {
      return registerRuns(prisma, sweepId, runs, totalSteps);
    },

    async recordRunFailure({ runId, error }: { runId: string; error: string }): Promise<void> {
      await failRun(prisma, runId, error);
    },

    async cancelUnfinishedRuns({ sweepId }: { sweepId: string }): Promise<number> {
      return cancelUnfinishedRuns(prisma, sweepId);
    },

    async finishSweep({ sweepId, status, error }: { sweepId: string; status: FinalSweepStatus; error?: string }): Promise<void> {
      await finishSweep(prisma, sweepId, status, error);
    },

    async recordRetrainFailure({ retrainId, error }: { retrainId: string; error: string }): Promise<void> {
      await failRetrain(prisma, retrainId, error);
    },

    async recordRetrainCancelled({ retrainId }: { retrainId: string }): Promise<void> {
      await cancelRetrain(prisma, retrainId);
    },
  };
}
