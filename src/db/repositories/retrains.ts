import type { Prisma, PrismaClient, Retrain } from '../client.ts';
import type { RetrainResult } from '../../sweep/orchestration.ts';

export class RetrainNotFoundError extends Error {
  constructor(readonly retrainId: string) {
    super(`no retrain with id "${retrainId}"`);
    this.name = 'RetrainNotFoundError';
  }
}

export async function insertRetrain(
  prisma: PrismaClient,
  retrain: { id: string; runId: string; widthMultiplier?: number; targetCost?: number; costAxis: string; totalSteps: number },
): Promise<Retrain> {
  return prisma.retrain.create({
    data: {
      id: retrain.id,
      runId: retrain.runId,
      widthMultiplier: retrain.widthMultiplier ?? null,
      targetCost: retrain.targetCost ?? null,
      costAxis: retrain.costAxis,
      totalSteps: retrain.totalSteps,
    },
  });
}

export async function getRetrain(prisma: PrismaClient, retrainId: string): Promise<Retrain> {
  const retrain = await prisma.retrain.findUnique({ where: { id: retrainId } });
  if (!retrain) throw new RetrainNotFoundError(retrainId);
  return retrain;
}

/** Like markRunStarted: false when an earlier attempt already completed the retrain. */
export async function markRetrainRunning(prisma: PrismaClient, retrainId: string, totalSteps: number, engine?: string): Promise<boolean> {
  const { count } = await prisma.retrain.updateMany({
    where: { id: retrainId, status: { not: 'completed' } },
    data: { status: 'running', totalSteps, error: null, engine: engine ?? null },
  });
  return count === 1;
}

export async function recordRetrainStep(prisma: PrismaClient, retrainId: string, step: number): Promise<void> {
  await prisma.retrain.update({ where: { id: retrainId }, data: { step } });
}

export async function completeRetrain(
  prisma: PrismaClient,
  retrainId: string,
  result: RetrainResult & { step: number; structure: unknown },
): Promise<void> {
  await prisma.retrain.update({
    where: { id: retrainId },
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
}

export async function failRetrain(prisma: PrismaClient, retrainId: string, error: string): Promise<void> {
  await prisma.retrain.updateMany({ where: { id: retrainId, status: { not: 'completed' } }, data: { status: 'failed', error, finishedAt: new Date() } });
}

/** A retrain cancelled before it finished (a finished one stays completed). */
export async function cancelRetrain(prisma: PrismaClient, retrainId: string): Promise<void> {
  await prisma.retrain.updateMany({ where: { id: retrainId, status: { not: 'completed' } }, data: { status: 'cancelled', finishedAt: new Date() } });
}

export async function retrainsOfRun(prisma: PrismaClient, runId: string): Promise<Retrain[]> {
  return prisma.retrain.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
}
