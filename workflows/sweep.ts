import {
  CancellationScope,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  ApplicationFailure,
  ActivityFailure,
  TemporalFailure,
  log,
  patched,
} from '@temporalio/workflow';
import type { MorphSweepActivities } from '../activities/index.ts';
import { expandGrid, type GridPoint } from '../src/sweep/grid.ts';
import { runIdFor } from '../src/sweep/run-id.ts';
import { emptyRunCounts, RUN_STATES, type RunCounts, type RunProgress, type SweepState } from '../src/sweep/progress.ts';
import type { SweepWorkflowInput, SweepWorkflowResult } from '../src/sweep/orchestration.ts';
import { BOOKKEEPING_ACTIVITY_OPTIONS, MEASURE_ACTIVITY_OPTIONS, trainingActivityOptions } from './activity-options.ts';
import { cancelSweepSignal, sweepProgressQuery } from './definitions.ts';

/** Marks histories whose sweep trains the seed network for its reference accuracy. */
const SEED_ACCURACY_PATCH = 'seed-accuracy';

/** Keeps one execution's history well under Temporal's limits; the rest continues as new. */
export const DEFAULT_RUNS_PER_EXECUTION = 200;

const bookkeeping = proxyActivities<MorphSweepActivities>(BOOKKEEPING_ACTIVITY_OPTIONS);
const measuring = proxyActivities<MorphSweepActivities>(MEASURE_ACTIVITY_OPTIONS);

/**
 * One sweep: measure the seed network, expand the (strength x threshold x seed) grid, run one
 * learnStructure activity per point with at most `config.concurrency` at a time, record the outcome.
 * A failed run (NaN loss, retries exhausted) is recorded and the sweep goes on.
 */
export async function sweepWorkflow(input: SweepWorkflowInput): Promise<SweepWorkflowResult> {
  const { sweepId, config } = input;
  let state: SweepState = input.continuation ? 'running' : 'measuring';
  let initialCost: number | null = input.continuation?.initialCost ?? null;
  let cancelRequested = false;
  const earlierCounts: RunCounts = input.continuation?.counts ?? emptyRunCounts();
  const runs = new Map<string, RunProgress>();
  let totalRuns = 0;
  const runScope = new CancellationScope();
  let continuation: SweepWorkflowInput['continuation'];

  /** Runs of earlier executions plus those of this one, by state (what continue-as-new carries). */
  const knownCounts = (): RunCounts => {
    const total = { ...earlierCounts };
    for (const run of runs.values()) total[run.state] += 1;
    return total;
  };
  /** As above, with the grid points no execution has reached yet counted as pending (cancelled once the sweep is). */
  const counts = (): RunCounts => {
    const total = knownCounts();
    const seen = RUN_STATES.reduce((sum, s) => sum + total[s], 0);
    total[state === 'cancelled' ? 'cancelled' : 'pending'] += Math.max(0, totalRuns - seen);
    return total;
  };

  setHandler(sweepProgressQuery, () => ({
    sweepId,
    state,
    initialCost,
    totalRuns,
    counts: counts(),
    runs: [...runs.values()],
  }));
  setHandler(cancelSweepSignal, () => {
    if (cancelRequested || state === 'completed' || state === 'failed' || state === 'cancelled') return;
    cancelRequested = true;
    state = 'cancelling';
    runScope.cancel();
  });

  const finish = async (status: SweepWorkflowResult['status'], error?: string): Promise<SweepWorkflowResult> => {
    // Bookkeeping must happen even when the workflow itself was cancelled.
    await CancellationScope.nonCancellable(async () => {
      if (status === 'cancelled') await bookkeeping.cancelUnfinishedRuns({ sweepId });
      await bookkeeping.finishSweep({ sweepId, status, error });
    });
    // As in the database: runs that never started are cancelled, not pending.
    if (status === 'cancelled') for (const run of runs.values()) if (run.state === 'pending') run.state = 'cancelled';
    state = status;
    return { sweepId, status, counts: counts() };
  };

  try {
    if (initialCost === null) {
      await bookkeeping.markSweepRunning({ sweepId });
      initialCost = (await measuring.measureSeedCost({ sweepId, config })).target;
      state = 'running';
    }
    const points = expandGrid(config, initialCost);
    totalRuns = points.length;
    const startIndex = input.continuation?.nextIndex ?? 0;
    const batchSize = input.options?.runsPerExecution ?? DEFAULT_RUNS_PER_EXECUTION;
    const batch = points.slice(startIndex, startIndex + batchSize);
    await bookkeeping.registerRuns({
      sweepId,
      totalSteps: config.training.steps ?? 0,
      runs: batch.map((point) => ({ runId: runIdFor(sweepId, point), ...point })),
    });
    for (const point of batch) {
      const runId = runIdFor(sweepId, point);
      runs.set(runId, { runId, strength: point.strength, threshold: point.threshold, seed: point.seed, state: 'pending' });
    }

    // The seed network's own accuracy (the front's reference line) trains once, in the first
    // execution, as one more job sharing the sweep's concurrency: first, so the reference is there
    // while the front fills in.
    // patched(): a sweep started by a worker without this job replays without it after an upgrade.
    const measuresSeed = !input.continuation && patched(SEED_ACCURACY_PATCH);
    const jobs = [...(measuresSeed ? [measureSeedAccuracy] : []), ...batch.map((point) => () => runOne(point))];
    await runScope.run(() => runWithConcurrency(jobs, config.concurrency, () => cancelRequested));

    // A cancelled workflow (client-side cancel) stops like a cancel signal: finished results stay.
    if (cancelRequested || runScope.consideredCancelled) return await finish('cancelled');
    const nextIndex = startIndex + batch.length;
    if (nextIndex < points.length) {
      continuation = { initialCost, nextIndex, counts: knownCounts() };
    } else {
      const finalCounts = counts();
      const allFailed = finalCounts.completed === 0 && finalCounts.failed > 0;
      return await finish(allFailed ? 'failed' : 'completed', allFailed ? 'every run failed; see the runs for reasons' : undefined);
    }
  } catch (error) {
    if (isCancellation(error)) {
      state = 'cancelling';
      return await finish('cancelled');
    }
    // A failure before any run started (e.g. an unknown dataset): the sweep as a whole failed.
    await finish('failed', describeFailure(error));
    // A plain error (a bug, e.g. a grid that cannot be expanded) would fail only the workflow task,
    // which Temporal retries forever: the workflow itself must fail.
    throw error instanceof TemporalFailure ? error : ApplicationFailure.nonRetryable(describeFailure(error), 'SweepSetupFailed');
  }
  // Outside the try: continue-as-new works by throwing, which must not read as a failed sweep.
  return await continueAsNew<typeof sweepWorkflow>({ ...input, continuation });

  /** Best effort: without it the chart has no reference line, but the sweep's runs still count. */
  async function measureSeedAccuracy(): Promise<void> {
    const training = proxyActivities<MorphSweepActivities>(trainingActivityOptions(input.options, `seed-accuracy-${sweepId}`));
    try {
      await training.measureSeedAccuracy({ sweepId, config });
    } catch (error) {
      if (isCancellation(error) || cancelRequested || runScope.consideredCancelled) return;
      log.warn('seed accuracy not measured', { sweepId, reason: describeFailure(error) });
    }
  }

  async function runOne(point: GridPoint): Promise<void> {
    const runId = runIdFor(sweepId, point);
    const run = runs.get(runId)!;
    run.state = 'running';
    const training = proxyActivities<MorphSweepActivities>(trainingActivityOptions(input.options, runId));
    try {
      run.result = await training.learnStructure({ sweepId, runId, config, point });
      run.state = 'completed';
    } catch (error) {
      // Only a cancellation reads as cancelled: a run that failed for a reason of its own after the
      // cancel was requested (a NaN, a vanished structure) is shown as the failure it was.
      if (isCancellation(error)) {
        run.state = 'cancelled';
        return;
      }
      run.state = 'failed';
      run.error = describeFailure(error);
      await CancellationScope.nonCancellable(() => bookkeeping.recordRunFailure({ runId, error: run.error! }));
    }
  }
}

/** Start up to `limit` jobs at a time, in order; stop handing out new ones once `stopped()`. */
async function runWithConcurrency(jobs: Array<() => Promise<void>>, limit: number, stopped: () => boolean): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length && !stopped()) {
      const job = jobs[next++]!;
      await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, lane));
}

/** The innermost message of a failure chain: the activity's own reason, not "Activity task failed". */
export function describeFailure(error: unknown): string {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure && current.message) return current.message;
  if (current instanceof Error) {
    const cause = (current as Error & { cause?: unknown }).cause;
    return cause instanceof Error && current.message.includes('timed out') ? `${current.message}: ${cause.message}` : current.message;
  }
  return String(current);
}
