import type { PrismaClient } from '../src/db/client.ts';
import { loadCheckpoint, saveCheckpoint, type CheckpointOwner } from '../src/db/repositories/checkpoints.ts';
import { checkpointFromRecord, checkpointToRecord, type CheckpointStore } from '../src/train/index.ts';

export interface CheckpointSaveHooks {
  /** Runs before the checkpoint is written: whatever it stores must never fall behind the checkpoint. */
  beforeSave?: () => Promise<void>;
  /** Runs once the checkpoint is written: progress that a retry can no longer lose. */
  afterSave?: (step: number) => Promise<void>;
}

/** The training loop's checkpoints as Postgres rows, so that a retry on any worker resumes. */
export function postgresCheckpointStore(
  prisma: PrismaClient,
  owner: CheckpointOwner,
  every: number,
  hooks: CheckpointSaveHooks = {},
): CheckpointStore {
  return {
    every,
    load: async () => {
      const record = await loadCheckpoint(prisma, owner);
      return record ? checkpointFromRecord(record as Parameters<typeof checkpointFromRecord>[0]) : null;
    },
    save: async (checkpoint) => {
      await hooks.beforeSave?.();
      await saveCheckpoint(prisma, owner, checkpointToRecord(checkpoint));
      await hooks.afterSave?.(checkpoint.step);
    },
  };
}
