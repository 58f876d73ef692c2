import type { Prisma, PrismaClient } from '../client.ts';

/** The latest checkpoint of each run, in Postgres so that any worker can resume any run. */

export interface StoredCheckpoint {
  step: number;
  weights: Uint8Array;
  optimizerState: Uint8Array;
  rngState: unknown;
}

export async function saveCheckpoint(prisma: PrismaClient, runId: string, checkpoint: StoredCheckpoint): Promise<void> {
  const data = {
    step: checkpoint.step,
    // Copies into plain ArrayBuffer-backed arrays, the Bytes type Prisma accepts.
    weights: new Uint8Array(checkpoint.weights),
    optimizerState: new Uint8Array(checkpoint.optimizerState),
    rngState: checkpoint.rngState as Prisma.InputJsonValue,
  };
  await prisma.checkpoint.upsert({ where: { runId }, create: { runId, ...data }, update: data });
}

export async function loadCheckpoint(prisma: PrismaClient, runId: string): Promise<StoredCheckpoint | null> {
  const row = await prisma.checkpoint.findUnique({ where: { runId } });
  if (!row) return null;
  return { step: row.step, weights: new Uint8Array(row.weights), optimizerState: new Uint8Array(row.optimizerState), rngState: row.rngState };
}

/** A finished run needs no checkpoint; dropping it keeps the table to the runs in flight. */
export async function deleteCheckpoint(prisma: PrismaClient, runId: string): Promise<void> {
  await prisma.checkpoint.deleteMany({ where: { runId } });
}
