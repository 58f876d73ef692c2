import type { PrismaClient } from '../src/db/client.ts';
import { loadCheckpoint, saveCheckpoint, type CheckpointOwner } from '../src/db/repositories/checkpoints.ts';
import { checkpointFromRecord, checkpointToRecord, type CheckpointStore } from '../src/train/index.ts';

export interface CheckpointHooks {
  /** Runs before the checkpoint is written: whatever it stores must never fall behind the checkpoint. */
  beforeSave?: () => Promise<void>;
  /** Runs once the attempt knows where it starts (0: from scratch), before its first step. */
  afterLoad?: (step: number) => Promise<void>;
}

/**
 * The training loop's checkpoints as Postgres rows, so that a retry on any worker resumes. Saves are
 * fenced by `attempt` (the owner row's step moves with them): a stale attempt's save throws.
 */
export function postgresCheckpointStore(
  prisma: PrismaClient,
  owner: CheckpointOwner,
  attempt: number,
  every: number,
  hooks: CheckpointHooks = {},
): CheckpointStore {
  return {
    every,
    load: async () => {
      const record = await loadCheckpoint(prisma, owner);
      await hooks.afterLoad?.(record?.step ?? 0);
      return record ? checkpointFromRecord(record as Parameters<typeof checkpointFromRecord>[0]) : null;
    },
    save: async (checkpoint) => {
      await hooks.beforeSave?.();
      await saveCheckpoint(prisma, owner, attempt, checkpointToRecord(checkpoint));
    },
  };
}
