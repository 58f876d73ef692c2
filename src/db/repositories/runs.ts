import type { PrismaClient, Run } from '../client.ts';
import type { Prisma } from '../client.ts';
import type { RunResultSummary } from '../../sweep/progress.ts';

/** Write side of the Run table: one row per grid point, created before any training starts. */

export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`no run with id "${runId}"; see a sweep's runs with \`morphsweep sweep status SWEEP_ID\``);
    this.name = 'RunNotFoundError';
  }
}

export interface RunRegistration {
  runId: string;
  strength: number;
  threshold: number;
  seed: number;
}

/** Idempotent: a retried activity or a re-run workflow finds the rows there and changes nothing. */
export async function registerRuns(prisma: PrismaClient, sweepId: string, runs: RunRegistration[], totalSteps: number): Promise<number> {
  const { count } = await prisma.run.createMany({
    data: runs.map((run) => ({ id: run.runId, sweepId, strength: run.strength, threshold: run.threshold, seed: run.seed, totalSteps })),
    skipDuplicates: true,
  });
  return count;
}

export async function getRun(prisma: PrismaClient, runId: string): Promise<Run> {
  const run = await prisma.run.findUnique({ where: { id: runId } });
  if (!run) throw new RunNotFoundError(runId);
  return run;
}

/**
 * Marks an attempt as running; false when the run is already completed. An earlier attempt whose
 * heartbeat timed out may still finish and store its result while this one starts: that result stands.
 */
export async function markRunStarted(
  prisma: PrismaClient,
  runId: string,
  start: { attempt: number; workerIdentity: string; totalSteps: number; engine?: string },
): Promise<boolean> {
  const { count } = await prisma.run.updateMany({
    where: { id: runId, status: { not: 'completed' } },
    data: {
      status: 'running',
      attempt: start.attempt,
      workerIdentity: start.workerIdentity,
      engine: start.engine ?? null,
      totalSteps: start.totalSteps,
      error: null,
      startedAt: new Date(),
    },
  });
  return count === 1;
}

export async function recordRunStep(prisma: PrismaClient, runId: string, step: number): Promise<void> {
  await prisma.run.update({ where: { id: runId }, data: { step } });
}

export async function completeRun(
  prisma: PrismaClient,
  runId: string,
  result: RunResultSummary & { step: number; structure: unknown },
): Promise<void> {
  await prisma.run.update({
    where: { id: runId },
    data: {
      status: 'completed',
      step: result.step,
      costFlops: result.costFlops,
      costModelSize: result.costModelSize,
      costLatencyNs: result.costLatencyNs,
      valAccuracy: result.valAccuracy,
      testAccuracy: result.testAccuracy,
      structure: result.structure as Prisma.InputJsonValue,
      error: null,
      finishedAt: new Date(),
    },
  });
}

/** A completed run keeps its result: a late failure report (e.g. a duplicate attempt) cannot undo it. */
export async function failRun(prisma: PrismaClient, runId: string, error: string): Promise<void> {
  await prisma.run.updateMany({ where: { id: runId, status: { not: 'completed' } }, data: { status: 'failed', error, finishedAt: new Date() } });
}

export async function cancelRun(prisma: PrismaClient, runId: string): Promise<void> {
  await prisma.run.updateMany({ where: { id: runId, status: { in: ['pending', 'running'] } }, data: { status: 'cancelled', finishedAt: new Date() } });
}

export async function cancelUnfinishedRuns(prisma: PrismaClient, sweepId: string): Promise<number> {
  const { count } = await prisma.run.updateMany({
    where: { sweepId, status: { in: ['pending', 'running'] } },
    data: { status: 'cancelled', finishedAt: new Date() },
  });
  return count;
}

/** Every run of a sweep without the heavy structure JSON, in grid order. */
export async function listRunsOfSweep(prisma: PrismaClient, sweepId: string) {
  return prisma.run.findMany({
    where: { sweepId },
    orderBy: [{ strength: 'asc' }, { threshold: 'asc' }, { seed: 'asc' }],
    omit: { structure: true },
  });
}

/** The columns a front needs, for completed runs only (failed and cancelled runs have no point). */
export async function completedRunsOfSweep(prisma: PrismaClient, sweepId: string) {
  return prisma.run.findMany({
    where: { sweepId, status: 'completed' },
    select: {
      id: true,
      strength: true,
      threshold: true,
      seed: true,
      costFlops: true,
      costModelSize: true,
      costLatencyNs: true,
      valAccuracy: true,
      testAccuracy: true,
      structure: true,
    },
  });
}
