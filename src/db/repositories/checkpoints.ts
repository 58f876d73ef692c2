import { Prisma, type PrismaClient } from '../client.ts';
import { StaleAttemptError } from './attempts.ts';

/**
 * The latest checkpoint of each training in flight, in Postgres so that any worker can resume it:
 * a sweep run's (structure learning) or a retrain's. Writes are fenced: only the attempt that owns
 * the run (or retrain) may replace its checkpoint.
 */

export type CheckpointOwner = { runId: string } | { retrainId: string };

export interface StoredCheckpoint {
  step: number;
  weights: Uint8Array;
  optimizerState: Uint8Array;
  rngState: unknown;
  /** The attempt that wrote it. */
  attempt?: number;
}

/**
 * One statement: the owner row's step moves to the checkpoint's and the checkpoint is replaced, or,
 * when `attempt` no longer owns a running row, nothing is written and StaleAttemptError is thrown.
 * The UPDATE locks the owner row, so an attempt that takes over waits for a write in flight and every
 * later write of the old attempt finds the row taken.
 */
export async function saveCheckpoint(prisma: PrismaClient, owner: CheckpointOwner, attempt: number, checkpoint: StoredCheckpoint): Promise<void> {
  // Copies into plain ArrayBuffer-backed arrays, the Bytes type the driver accepts.
  const weights = new Uint8Array(checkpoint.weights);
  const optimizerState = new Uint8Array(checkpoint.optimizerState);
  const rngState = JSON.stringify(checkpoint.rngState);
  const now = new Date();
  // The same statement for either owner; the identifiers are fixed strings, never input.
  const { ownerTable, checkpointTable, key, id } =
    'retrainId' in owner
      ? { ownerTable: '"Retrain"', checkpointTable: '"RetrainCheckpoint"', key: '"retrainId"', id: owner.retrainId }
      : { ownerTable: '"Run"', checkpointTable: '"Checkpoint"', key: '"runId"', id: owner.runId };
  const written = await prisma.$queryRaw<Array<{ id: string }>>(Prisma.sql`
    WITH owner AS (
      UPDATE ${Prisma.raw(ownerTable)} SET step = ${checkpoint.step}, "updatedAt" = ${now}
      WHERE id = ${id} AND attempt = ${attempt} AND status = 'running'
      RETURNING id
    )
    INSERT INTO ${Prisma.raw(checkpointTable)} (${Prisma.raw(key)}, step, weights, "optimizerState", "rngState", attempt, "updatedAt")
    SELECT id, ${checkpoint.step}, ${weights}, ${optimizerState}, ${rngState}::jsonb, ${attempt}, ${now} FROM owner
    ON CONFLICT (${Prisma.raw(key)}) DO UPDATE SET step = EXCLUDED.step, weights = EXCLUDED.weights,
      "optimizerState" = EXCLUDED."optimizerState", "rngState" = EXCLUDED."rngState", attempt = EXCLUDED.attempt,
      "updatedAt" = EXCLUDED."updatedAt"
    RETURNING ${Prisma.raw(key)} AS id`);
  if (written.length === 0) throw new StaleAttemptError(ownerName(owner), attempt);
}

export async function loadCheckpoint(prisma: PrismaClient, owner: CheckpointOwner): Promise<StoredCheckpoint | null> {
  const row =
    'retrainId' in owner
      ? await prisma.retrainCheckpoint.findUnique({ where: owner })
      : await prisma.checkpoint.findUnique({ where: owner });
  if (!row) return null;
  return {
    step: row.step,
    weights: new Uint8Array(row.weights),
    optimizerState: new Uint8Array(row.optimizerState),
    rngState: row.rngState,
    attempt: row.attempt,
  };
}

/** A finished training needs no checkpoint; dropping it keeps the tables to the work in flight. */
export async function deleteCheckpoint(prisma: PrismaClient, owner: CheckpointOwner): Promise<void> {
  if ('retrainId' in owner) await prisma.retrainCheckpoint.deleteMany({ where: owner });
  else await prisma.checkpoint.deleteMany({ where: owner });
}

export function ownerName(owner: CheckpointOwner): string {
  return 'retrainId' in owner ? `retrain ${owner.retrainId}` : `run ${owner.runId}`;
}
