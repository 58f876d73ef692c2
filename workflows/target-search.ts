import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities, setHandler, TemporalFailure } from '@temporalio/workflow';
import type { MorphSweepActivities } from '../activities/index.ts';
import { targetOf } from '../src/sweep/config.ts';
import type { GridPoint } from '../src/sweep/grid.ts';
import { costColumnOf, type SweepWorkflowInput, type SweepWorkflowResult } from '../src/sweep/orchestration.ts';
import { emptyRunCounts, type RunCounts, type RunProgress, type SweepState } from '../src/sweep/progress.ts';
import { runIdFor } from '../src/sweep/run-id.ts';
import {
  DEFAULT_SEARCH_LIMITS,
  describeOutcome,
  nextSearchStep,
  type Probe,
  type SearchOutcome,
  type SearchProbeSummary,
  type TargetSearchSettings,
  type TargetSearchState,
} from '../src/sweep/target-search.ts';
import { BOOKKEEPING_ACTIVITY_OPTIONS, MEASURE_ACTIVITY_OPTIONS, trainingActivityOptions } from './activity-options.ts';
import { cancelSweepSignal, sweepProgressQuery } from './definitions.ts';
import { describeFailure } from './sweep.ts';

const bookkeeping = proxyActivities<MorphSweepActivities>(BOOKKEEPING_ACTIVITY_OPTIONS);
const measuring = proxyActivities<MorphSweepActivities>(MEASURE_ACTIVITY_OPTIONS);

/**
 * A target-cost sweep: rounds of structure-learning probes (as many per round as the sweep's
 * concurrency) at strengths chosen by the target-search math until a structure lands within the
 * tolerance, or the search can say why none will. Every probe is an ordinary run of the sweep (same
 * ids, rows, checkpoints and resume after a dead worker); the rounds are stored on the Sweep row
 * after each round and answered live by the same progress query and cancel signal as a grid sweep.
 */
export async function targetSearchWorkflow(input: SweepWorkflowInput): Promise<SweepWorkflowResult> {
  const { sweepId, config } = input;
  const target = targetOf(config)!;
  let state: SweepState = 'measuring';
  let initialCost: number | null = null;
  let cancelRequested = false;
  const runs = new Map<string, RunProgress>();
  const search: TargetSearchState = { targetCost: target.cost ?? 0, tolerance: target.tolerance, rounds: [], outcome: null };
  const runScope = new CancellationScope();

  const counts = (): RunCounts => {
    const total = emptyRunCounts();
    for (const run of runs.values()) total[run.state] += 1;
    return total;
  };
  setHandler(sweepProgressQuery, () => ({ sweepId, state, initialCost, totalRuns: runs.size, counts: counts(), runs: [...runs.values()], targetSearch: search }));
  setHandler(cancelSweepSignal, () => {
    if (cancelRequested || state === 'completed' || state === 'failed' || state === 'cancelled') return;
    cancelRequested = true;
    state = 'cancelling';
    runScope.cancel();
  });

  const finish = async (status: SweepWorkflowResult['status'], error?: string): Promise<SweepWorkflowResult> => {
    await CancellationScope.nonCancellable(async () => {
      await bookkeeping.recordTargetSearch({ sweepId, state: search });
      if (status === 'cancelled') await bookkeeping.cancelUnfinishedRuns({ sweepId });
      await bookkeeping.finishSweep({ sweepId, status, error });
    });
    state = status;
    return { sweepId, status, counts: counts() };
  };

  try {
    await bookkeeping.markSweepRunning({ sweepId });
    initialCost = (await measuring.measureSeedCost({ sweepId, config })).target;
    search.targetCost = target.cost ?? target.fractionOfSeed! * initialCost;
    if (search.targetCost >= initialCost) {
      // No strength makes a structure bigger than its seed network.
      return await finish('failed', `the target cost ${search.targetCost} is not below the seed network's cost ${initialCost}: lower it, or use fractionOfSeed`);
    }
    state = 'running';
    const settings: TargetSearchSettings = {
      targetCost: search.targetCost,
      tolerance: target.tolerance,
      // MorphNet's centre: 1/(initial cost).
      startLogStrength: -Math.log10(initialCost),
      probesPerRound: config.concurrency,
      maxRounds: target.maxRounds,
      minBracketDecades: DEFAULT_SEARCH_LIMITS.minBracketDecades,
    };
    const threshold = config.thresholds[0]!;
    const seed = config.seeds[0]!;
    const probes: Array<Probe & { runId: string }> = [];
    let verdict = nextSearchStep(probes, 0, settings);
    for (let round = 1; verdict.kind === 'continue'; round++) {
      const tried = new Set(probes.map((probe) => probe.logStrength));
      const points: GridPoint[] = verdict.logStrengths
        .filter((logStrength) => !tried.has(logStrength))
        .map((logStrength, i) => ({ index: probes.length + i, strength: 10 ** logStrength, threshold, seed }));
      const roundRecord: TargetSearchState['rounds'][number] = {
        round,
        probes: points.map((point) => ({ runId: runIdFor(sweepId, point), strength: point.strength, state: 'running', cost: null, valAccuracy: null, steps: null })),
      };
      search.rounds.push(roundRecord);
      await bookkeeping.registerRuns({ sweepId, totalSteps: config.training.steps ?? 0, runs: points.map((point) => ({ runId: runIdFor(sweepId, point), ...point })) });
      await bookkeeping.recordTargetSearch({ sweepId, state: search });
      await runScope.run(() =>
        Promise.all(
          points.map(async (point, i) => {
            const runId = runIdFor(sweepId, point);
            const run: RunProgress = { runId, strength: point.strength, threshold, seed, state: 'running' };
            runs.set(runId, run);
            const record = roundRecord.probes[i]!;
            const training = proxyActivities<MorphSweepActivities>(trainingActivityOptions(input.options, runId));
            try {
              const result = await training.learnStructure({ sweepId, runId, config, point, earlyStop: { targetCost: settings.targetCost, tolerance: settings.tolerance } });
              run.state = 'completed';
              run.result = result;
              const cost = result[costColumnOf(config.regularizer.cost)];
              Object.assign(record, { state: 'completed', cost, valAccuracy: result.valAccuracy, steps: result.steps ?? null });
              probes.push({ runId, logStrength: Math.log10(point.strength), cost, valAccuracy: result.valAccuracy });
            } catch (error) {
              if (isPrunedAway(error)) {
                // Everything pruned: the strength is far too high. The run stays failed (it has no
                // structure) but the search learns from it as a probe of cost 0.
                probes.push({ runId, logStrength: Math.log10(point.strength), cost: 0, valAccuracy: 0 });
              }
              const cancelled = isCancellation(error) || cancelRequested;
              run.state = cancelled ? 'cancelled' : 'failed';
              record.state = cancelled ? 'cancelled' : 'failed';
              if (!cancelled) {
                run.error = describeFailure(error);
                await CancellationScope.nonCancellable(() => bookkeeping.recordRunFailure({ runId, error: run.error! }));
              }
            }
          }),
        ),
      );
      if (cancelRequested || runScope.consideredCancelled) return await finish('cancelled');
      const learned = new Set(probes.map((probe) => probe.runId));
      if (points.length > 0 && points.every((point) => !learned.has(runIdFor(sweepId, point)))) {
        return await finish('failed', `every probe of round ${round} failed; see the runs for reasons`);
      }
      verdict = nextSearchStep(probes, round, settings);
      await bookkeeping.recordTargetSearch({ sweepId, state: search });
    }
    const summary = (probe: Probe | null): SearchProbeSummary | null => {
      if (!probe) return null;
      const runId = probes.find((candidate) => candidate.logStrength === probe.logStrength)!.runId;
      return { runId, strength: 10 ** probe.logStrength, cost: probe.cost };
    };
    let outcome: SearchOutcome;
    if (verdict.kind === 'hit') {
      outcome = { kind: 'hit', runId: summary(verdict.best)!.runId, cost: verdict.best.cost, message: describeOutcome(verdict, settings) };
    } else if (verdict.kind === 'jump') {
      const below = summary(verdict.below)!;
      const suggestedWidthMultiplier = await measuring.suggestWidthMultiplier({ runId: below.runId, targetCost: settings.targetCost * (1 + settings.tolerance) });
      outcome = { kind: 'jump', above: summary(verdict.above)!, below, suggestedWidthMultiplier, message: describeOutcome(verdict, settings, suggestedWidthMultiplier) };
    } else {
      outcome = { kind: 'exhausted', above: summary(verdict.above), below: summary(verdict.below), message: describeOutcome(verdict, settings) };
    }
    search.outcome = outcome;
    // A search that ends without a hit still completed: its outcome says why, and its probes are on the front.
    return await finish('completed');
  } catch (error) {
    if (isCancellation(error)) return await finish('cancelled');
    await finish('failed', describeFailure(error));
    throw error instanceof TemporalFailure ? error : ApplicationFailure.nonRetryable(describeFailure(error), 'SweepSetupFailed');
  }
}

/** A probe whose every path to the output was pruned (the structure activity's InvalidStructure). */
function isPrunedAway(error: unknown): boolean {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  return current instanceof ApplicationFailure && current.type === 'InvalidStructure';
}
