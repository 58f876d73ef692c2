import type { Prisma, PrismaClient, Retrain } from '../client.ts';
import { isUniqueViolation } from './sweeps.ts';
import type { RetrainResult } from '../../sweep/orchestration.ts';
import { StaleAttemptError } from './attempts.ts';

export class RetrainNotFoundError extends Error {
  constructor(readonly retrainId: string) {
    super(`no retrain with id "${retrainId}"`);
    this.name = 'RetrainNotFoundError';
  }
}

export interface RetrainInsert {
  id: string;
  runId: string;
  widthMultiplier?: number;
  targetCost?: number;
  costAxis: string;
  totalSteps: number;
  idempotencyKey?: string;
}

/**
 * Insert the retrain unless one with the same id or idempotency key exists; either way return the row
 * there now. A concurrent duplicate request loses the insert race and reads the winner's row.
 */
export async function insertRetrainOnce(prisma: PrismaClient, retrain: RetrainInsert): Promise<{ retrain: Retrain; created: boolean }> {
  try {
    const created = await prisma.retrain.create({
      data: {
        id: retrain.id,
        runId: retrain.runId,
        widthMultiplier: retrain.widthMultiplier ?? null,
        targetCost: retrain.targetCost ?? null,
        costAxis: retrain.costAxis,
        totalSteps: retrain.totalSteps,
        idempotencyKey: retrain.idempotencyKey ?? null,
      },
    });
    return { retrain: created, created: true };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await prisma.retrain.findFirst({
      where: retrain.idempotencyKey ? { OR: [{ id: retrain.id }, { idempotencyKey: retrain.idempotencyKey }] } : { id: retrain.id },
    });
    if (!existing) throw error;
    return { retrain: existing, created: false };
  }
}

export async function getRetrain(prisma: PrismaClient, retrainId: string): Promise<Retrain> {
  const retrain = await prisma.retrain.findUnique({ where: { id: retrainId } });
  if (!retrain) throw new RetrainNotFoundError(retrainId);
  return retrain;
}

/**
 * Like markRunStarted: `attempt` becomes the owner; false when an earlier attempt already completed
 * the retrain; StaleAttemptError when a newer attempt owns it.
 */
export async function markRetrainRunning(
  prisma: PrismaClient,
  retrainId: string,
  attempt: number,
  totalSteps: number,
  engine?: string,
): Promise<boolean> {
  const { count } = await prisma.retrain.updateMany({
    where: { id: retrainId, status: { not: 'completed' }, attempt: { lt: attempt } },
    data: { status: 'running', attempt, totalSteps, error: null, engine: engine ?? null },
  });
  if (count === 1) return true;
  if ((await getRetrain(prisma, retrainId)).status === 'completed') return false;
  throw new StaleAttemptError(`retrain ${retrainId}`, attempt);
}

export async function recordRetrainStep(prisma: PrismaClient, retrainId: string, attempt: number, step: number): Promise<void> {
  await updateOwnedRetrain(prisma, retrainId, attempt, { step });
}

/** False when the retrain was completed already (its first result stands); fenced like the rest. */
export async function completeRetrain(
  prisma: PrismaClient,
  retrainId: string,
  attempt: number,
  result: RetrainResult & { step: number; structure: unknown },
): Promise<boolean> {
  const { count } = await prisma.retrain.updateMany({
    where: { id: retrainId, attempt, status: 'running' },
    data: {
      status: 'completed',
      step: result.step,
      widthMultiplier: result.widthMultiplier,
      structure: result.structure as Prisma.InputJsonValue,
      costFlops: result.costFlops,
      costModelSize: result.costModelSize,
      costLatencyNs: result.costLatencyNs,
      valAccuracy: result.valAccuracy,
      testAccuracy: result.testAccuracy,
      error: null,
      finishedAt: new Date(),
    },
  });
  if (count === 1) return true;
  if ((await getRetrain(prisma, retrainId)).status === 'completed') return false;
  throw new StaleAttemptError(`retrain ${retrainId}`, attempt);
}

/** An attempt's own non-retryable failure, refused once a newer attempt owns the retrain. */
export async function failRetrainAttempt(prisma: PrismaClient, retrainId: string, attempt: number, error: string): Promise<void> {
  await updateOwnedRetrain(prisma, retrainId, attempt, { status: 'failed', error, finishedAt: new Date() });
}

/** An attempt that saw its cancellation; a newer owner keeps its state. */
export async function cancelRetrainAttempt(prisma: PrismaClient, retrainId: string, attempt: number): Promise<void> {
  await prisma.retrain.updateMany({ where: { id: retrainId, attempt, status: { in: ['pending', 'running'] } }, data: { status: 'cancelled', finishedAt: new Date() } });
}

async function updateOwnedRetrain(prisma: PrismaClient, retrainId: string, attempt: number, data: Prisma.RetrainUpdateManyMutationInput): Promise<void> {
  const { count } = await prisma.retrain.updateMany({ where: { id: retrainId, attempt, status: 'running' }, data });
  if (count === 0) throw new StaleAttemptError(`retrain ${retrainId}`, attempt);
}

/** The workflow's verdict (or a start that never happened); not fenced. A completed retrain stays so. */
export async function failRetrain(prisma: PrismaClient, retrainId: string, error: string): Promise<void> {
  await prisma.retrain.updateMany({ where: { id: retrainId, status: { not: 'completed' } }, data: { status: 'failed', error, finishedAt: new Date() } });
}

/** Its workflow could not be started: failed with the reason, unless an attempt started meanwhile. */
export async function markRetrainNotStarted(prisma: PrismaClient, retrainId: string, reason: string): Promise<void> {
  await prisma.retrain.updateMany({ where: { id: retrainId, status: 'pending', attempt: 0 }, data: { status: 'failed', error: reason, finishedAt: new Date() } });
}

/** A retry started the workflow of a retrain that had failed to start: pending again. */
export async function reopenUnstartedRetrain(prisma: PrismaClient, retrainId: string): Promise<void> {
  await prisma.retrain.updateMany({ where: { id: retrainId, status: 'failed', attempt: 0 }, data: { status: 'pending', error: null, finishedAt: null } });
}

/** A retrain cancelled before it finished (a finished one stays completed). */
export async function cancelRetrain(prisma: PrismaClient, retrainId: string): Promise<void> {
  await prisma.retrain.updateMany({ where: { id: retrainId, status: { not: 'completed' } }, data: { status: 'cancelled', finishedAt: new Date() } });
}

export async function retrainsOfRun(prisma: PrismaClient, runId: string): Promise<Retrain[]> {
  return prisma.retrain.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
}
