import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSweep, waitForSweep } from '../../src/temporal/sweeps.ts';
import { withinTolerance, type TargetSearchState } from '../../src/sweep/target-search.ts';
import { tinySweepConfig, useSweepTestEnvironment } from './sweep-harness.ts';

const env = useSweepTestEnvironment('target-search');

/**
 * GroupLassoFlops: the kernels start at random RMS, so the share of channels pushed under the
 * threshold grows gradually with the strength.
 */
const searchConfig = (name: string, regularizer: { algorithm: 'group-lasso' | 'gamma'; threshold: number } = { algorithm: 'group-lasso', threshold: 0.1 }) =>
  tinySweepConfig({
    name,
    regularizer: { algorithm: regularizer.algorithm, cost: 'flops' },
    thresholds: [regularizer.threshold],
    strengths: { target: { fractionOfSeed: 0.5, tolerance: 0.1 } },
    training: { steps: 30, batchSize: 16, learningRate: 0.05, evalEvery: 10, checkpointEvery: 10 },
    concurrency: 2,
  });

async function runSearch(name: string, regularizer?: Parameters<typeof searchConfig>[1]) {
  const deps = env.deps();
  const { sweepId } = await startSweep(deps, searchConfig(name, regularizer));
  const result = await waitForSweep(deps, sweepId);
  const sweep = await env.database.prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } });
  const runs = await env.database.prisma.run.findMany({ where: { sweepId }, orderBy: { strength: 'asc' } });
  return { result, search: sweep.targetSearch as unknown as TargetSearchState, seedFlops: (sweep.seedCost as { flops: number }).flops, runs };
}

test('a target-cost search lands a structure within the tolerance, every probe a run, and reproduces', async () => {
  const first = await runSearch('target search');
  assert.equal(first.result.status, 'completed');
  const { search } = first;
  assert.equal(search.targetCost, first.seedFlops * 0.5);
  assert.equal(search.outcome?.kind, 'hit', `${search.outcome?.message}: ${JSON.stringify(search.rounds.map((r) => r.probes.map((p) => [p.strength * first.seedFlops, p.cost! / first.seedFlops])))}`);
  const hit = search.outcome!.kind === 'hit' ? search.outcome : undefined;
  const hitRun = first.runs.find((run) => run.id === hit!.runId)!;
  assert.ok(withinTolerance(hitRun.costFlops!, search), `${hitRun.costFlops} vs target ${search.targetCost}`);
  // Every probe of every round is a normal run of the sweep: completed with a structure, or (a strength
  // so high that everything was pruned) failed with that reason.
  const probeIds = search.rounds.flatMap((round) => round.probes.map((probe) => probe.runId));
  assert.deepEqual(new Set(probeIds), new Set(first.runs.map((run) => run.id)));
  for (const run of first.runs) {
    assert.ok((run.status === 'completed' && run.structure !== null) || (run.status === 'failed' && /vanished/.test(run.error ?? '')), `${run.id}: ${run.status} ${run.error}`);
  }
  assert.ok(first.runs.filter((run) => run.status === 'completed').length >= 1);
  assert.ok(search.rounds.every((round) => round.probes.length <= 2), 'no more probes per round than the concurrency');

  // The same config searches the same strengths and finds the same costs.
  const second = await runSearch('target search again');
  assert.deepEqual(
    second.search.rounds.map((round) => round.probes.map((probe) => [probe.strength, probe.cost])),
    search.rounds.map((round) => round.probes.map((probe) => [probe.strength, probe.cost])),
  );
  assert.equal(second.search.outcome?.kind, 'hit');
});

test('a cost that jumps over the target between two strengths a hair apart is reported with both and a width multiplier', async () => {
  // GammaFlops from gammas that all start at 1 with a threshold of 0.9: whole layers cross it together.
  const { result, search } = await runSearch('jumping search', { algorithm: 'gamma', threshold: 0.9 });
  assert.equal(result.status, 'completed');
  assert.equal(search.outcome?.kind, 'jump', search.outcome?.message);
  if (search.outcome?.kind !== 'jump') return;
  const { above, below, suggestedWidthMultiplier } = search.outcome;
  assert.ok(above.cost > search.targetCost * 1.1 && below.cost < search.targetCost * 0.9);
  assert.ok(Math.log10(below.strength) - Math.log10(above.strength) < 0.005 + 1e-12, 'the two nearest strengths are a hair apart');
  assert.ok(suggestedWidthMultiplier !== null && suggestedWidthMultiplier > 1, 'widening the cheaper structure is suggested');
  assert.match(search.outcome.message, /jumps over the target/);
});
