import type { PrismaClient, Run } from '../client.ts';
import type { Prisma } from '../client.ts';
import type { RunResultSummary } from '../../sweep/progress.ts';
import { StaleAttemptError } from './attempts.ts';

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
 * Makes `start.attempt` the run's owner and marks it running; false when the run is already completed
 * (an earlier attempt whose heartbeat timed out may still finish and store its result: that result
 * stands). Throws StaleAttemptError when a newer attempt owns the run already: attempts only take
 * over from older ones, so an attempt that was slow to start cannot steal the run back.
 */
export async function markRunStarted(
  prisma: PrismaClient,
  runId: string,
  start: { attempt: number; workerIdentity: string; totalSteps: number; engine?: string },
): Promise<boolean> {
  const { count } = await prisma.run.updateMany({
    where: { id: runId, status: { not: 'completed' }, attempt: { lt: start.attempt } },
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
  if (count === 1) return true;
  if ((await getRun(prisma, runId)).status === 'completed') return false;
  throw new StaleAttemptError(`run ${runId}`, start.attempt);
}

/** The step count, once an epoch-based run knows it; fenced like every write of an attempt. */
export async function recordRunTotalSteps(prisma: PrismaClient, runId: string, attempt: number, totalSteps: number): Promise<void> {
  await updateOwnedRun(prisma, runId, attempt, { totalSteps });
}

/**
 * Stores the attempt's result; false when the run was completed already (that result stands).
 * StaleAttemptError when a newer attempt owns the run.
 */
export async function completeRun(
  prisma: PrismaClient,
  runId: string,
  attempt: number,
  result: RunResultSummary & { step: number; structure: unknown; narrowestCost?: { flops: number; modelSize: number; latencyNs: number } },
): Promise<boolean> {
  const { count } = await prisma.run.updateMany({
    where: { id: runId, attempt, status: 'running' },
    data: {
      status: 'completed',
      step: result.step,
      costFlops: result.costFlops,
      costModelSize: result.costModelSize,
      costLatencyNs: result.costLatencyNs,
      valAccuracy: result.valAccuracy,
      testAccuracy: result.testAccuracy,
      structure: result.structure as Prisma.InputJsonValue,
      ...(result.narrowestCost ? { narrowestCost: result.narrowestCost } : {}),
      error: null,
      finishedAt: new Date(),
    },
  });
  if (count === 1) return true;
  if ((await getRun(prisma, runId)).status === 'completed') return false;
  throw new StaleAttemptError(`run ${runId}`, attempt);
}

/** An attempt's own non-retryable failure; refused (StaleAttemptError) once a newer attempt owns the run. */
export async function failRunAttempt(prisma: PrismaClient, runId: string, attempt: number, error: string): Promise<void> {
  await updateOwnedRun(prisma, runId, attempt, { status: 'failed', error, finishedAt: new Date() });
}

/** An attempt that saw its cancellation; a newer owner (or a finished run) keeps its state. */
export async function cancelRunAttempt(prisma: PrismaClient, runId: string, attempt: number): Promise<void> {
  await prisma.run.updateMany({ where: { id: runId, attempt, status: { in: ['pending', 'running'] } }, data: { status: 'cancelled', finishedAt: new Date() } });
}

async function updateOwnedRun(prisma: PrismaClient, runId: string, attempt: number, data: Prisma.RunUpdateManyMutationInput): Promise<void> {
  const { count } = await prisma.run.updateMany({ where: { id: runId, attempt, status: 'running' }, data });
  if (count === 0) throw new StaleAttemptError(`run ${runId}`, attempt);
}

/**
 * The workflow's verdict (retries exhausted, or a failure it saw): not fenced, it speaks for the run.
 * A completed run keeps its result: a late failure report (e.g. a duplicate attempt) cannot undo it.
 */
export async function failRun(prisma: PrismaClient, runId: string, error: string): Promise<void> {
  await prisma.run.updateMany({ where: { id: runId, status: { not: 'completed' } }, data: { status: 'failed', error, finishedAt: new Date() } });
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
