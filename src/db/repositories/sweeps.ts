import { Prisma, type PrismaClient, type Sweep } from '../client.ts';
import { isUserNetwork, type SweepConfig } from '../../sweep/config.ts';
import type { SeedCost } from '../../sweep/orchestration.ts';

/** Write side of the Sweep table; the workflow's bookkeeping activities and startSweep call these. */

export type FinalSweepStatus = 'completed' | 'failed' | 'cancelled';

export class SweepNotFoundError extends Error {
  constructor(readonly sweepId: string) {
    super(`no sweep with id "${sweepId}"; list sweeps with \`morphsweep sweep list\``);
    this.name = 'SweepNotFoundError';
  }
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/**
 * Insert the sweep unless one with the same id (or idempotency key) exists; either way return the row
 * that is there now. A concurrent duplicate request loses the insert race and reads the winner's row.
 */
export async function insertSweepOnce(
  prisma: PrismaClient,
  sweep: { id: string; config: SweepConfig; idempotencyKey?: string },
): Promise<{ sweep: Sweep; created: boolean }> {
  try {
    const created = await prisma.sweep.create({
      data: {
        id: sweep.id,
        name: sweep.config.name,
        tags: sweep.config.tags,
        config: sweep.config as unknown as Prisma.InputJsonValue,
        costAxis: sweep.config.regularizer.cost,
        idempotencyKey: sweep.idempotencyKey ?? null,
        userModelId: isUserNetwork(sweep.config.network) ? sweep.config.network.model : null,
      },
    });
    return { sweep: created, created: true };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await prisma.sweep.findFirst({
      where: sweep.idempotencyKey ? { OR: [{ id: sweep.id }, { idempotencyKey: sweep.idempotencyKey }] } : { id: sweep.id },
    });
    if (!existing) throw error;
    return { sweep: existing, created: false };
  }
}

export async function getSweep(prisma: PrismaClient, sweepId: string): Promise<Sweep> {
  const sweep = await prisma.sweep.findUnique({ where: { id: sweepId } });
  if (!sweep) throw new SweepNotFoundError(sweepId);
  return sweep;
}

/**
 * The workflow's first step. Only a sweep that never started moves to running: a retried activity must
 * not revive a finished one. A never-started sweep marked failed counts too: its start request failed
 * on the client's side (e.g. timed out) although Temporal did start it.
 */
export async function markSweepRunning(prisma: PrismaClient, sweepId: string): Promise<void> {
  await prisma.sweep.updateMany({
    where: { id: sweepId, startedAt: null, status: { in: ['queued', 'failed'] } },
    data: { status: 'running', startedAt: new Date(), error: null, finishedAt: null },
  });
}

/** Its workflow could not be started: failed with the reason, unless it started meanwhile. */
export async function markSweepNotStarted(prisma: PrismaClient, sweepId: string, reason: string): Promise<void> {
  await prisma.sweep.updateMany({ where: { id: sweepId, status: 'queued', startedAt: null }, data: { status: 'failed', error: reason, finishedAt: new Date() } });
}

/** A retry started the workflow of a sweep that had failed to start: queued again, until it runs. */
export async function reopenUnstartedSweep(prisma: PrismaClient, sweepId: string): Promise<void> {
  await prisma.sweep.updateMany({ where: { id: sweepId, status: 'failed', startedAt: null }, data: { status: 'queued', error: null, finishedAt: null } });
}

export async function storeSeedCost(prisma: PrismaClient, sweepId: string, seedCost: SeedCost): Promise<void> {
  const { flops, modelSize, latencyNs } = seedCost;
  await prisma.sweep.update({ where: { id: sweepId }, data: { seedCost: { flops, modelSize, latencyNs } } });
}

/** The full-width seed network's validation accuracy on the sweep's recipe (the front's reference). */
export async function storeSeedAccuracy(prisma: PrismaClient, sweepId: string, seedAccuracy: number): Promise<void> {
  await prisma.sweep.update({ where: { id: sweepId }, data: { seedAccuracy } });
}

export async function finishSweep(prisma: PrismaClient, sweepId: string, status: FinalSweepStatus, error?: string): Promise<void> {
  await prisma.sweep.update({ where: { id: sweepId }, data: { status, error: error ?? null, finishedAt: new Date() } });
}

export async function listSweeps(prisma: PrismaClient, options: { limit?: number } = {}): Promise<Sweep[]> {
  return prisma.sweep.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: options.limit ?? 50 });
}

/** A target-cost search's rounds so far (written after every round) and, at the end, its outcome. */
export async function storeTargetSearch(prisma: PrismaClient, sweepId: string, state: unknown): Promise<void> {
  await prisma.sweep.update({ where: { id: sweepId }, data: { targetSearch: state as Prisma.InputJsonValue } });
}
