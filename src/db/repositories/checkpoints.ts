import type { Prisma, PrismaClient } from '../client.ts';

/**
 * The latest checkpoint of each training in flight, in Postgres so that any worker can resume it:
 * a sweep run's (structure learning) or a retrain's.
 */

export type CheckpointOwner = { runId: string } | { retrainId: string };

export interface StoredCheckpoint {
  step: number;
  weights: Uint8Array;
  optimizerState: Uint8Array;
  rngState: unknown;
}

export async function saveCheckpoint(prisma: PrismaClient, owner: CheckpointOwner, checkpoint: StoredCheckpoint): Promise<void> {
  const data = {
    step: checkpoint.step,
    // Copies into plain ArrayBuffer-backed arrays, the Bytes type Prisma accepts.
    weights: new Uint8Array(checkpoint.weights),
    optimizerState: new Uint8Array(checkpoint.optimizerState),
    rngState: checkpoint.rngState as Prisma.InputJsonValue,
  };
  if ('retrainId' in owner) {
    await prisma.retrainCheckpoint.upsert({ where: owner, create: { ...owner, ...data }, update: data });
  } else {
    await prisma.checkpoint.upsert({ where: owner, create: { ...owner, ...data }, update: data });
  }
}

export async function loadCheckpoint(prisma: PrismaClient, owner: CheckpointOwner): Promise<StoredCheckpoint | null> {
  const row =
    'retrainId' in owner
      ? await prisma.retrainCheckpoint.findUnique({ where: owner })
      : await prisma.checkpoint.findUnique({ where: owner });
  if (!row) return null;
  return { step: row.step, weights: new Uint8Array(row.weights), optimizerState: new Uint8Array(row.optimizerState), rngState: row.rngState };
}

/** A finished training needs no checkpoint; dropping it keeps the tables to the work in flight. */
export async function deleteCheckpoint(prisma: PrismaClient, owner: CheckpointOwner): Promise<void> {
  if ('retrainId' in owner) await prisma.retrainCheckpoint.deleteMany({ where: owner });
  else await prisma.checkpoint.deleteMany({ where: owner });
}
