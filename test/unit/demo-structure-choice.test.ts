import assert from 'node:assert/strict';
import { test } from 'node:test';
import { structureToCompare } from '../../src/cli/actions/demo.ts';
import type { SearchProbeRecord, TargetSearchState } from '../../src/sweep/target-search.ts';

const probe = (runId: string, state: SearchProbeRecord['state'], cost: number | null): SearchProbeRecord => ({ runId, strength: 1, state, cost, valAccuracy: 0.5, steps: 10 });

function searchOf(probes: SearchProbeRecord[], outcome: TargetSearchState['outcome'] = null): TargetSearchState {
  return { targetCost: 100, tolerance: 0.1, rounds: [{ round: 1, probes }], outcome };
}

test('the demo compares the hit when the search hit', () => {
  const search = searchOf([probe('a', 'completed', 97), probe('b', 'completed', 40)], { kind: 'hit', runId: 'a', cost: 97, message: '' });
  assert.deepEqual(structureToCompare(search), { runId: 'a', cost: 97 });
});

test('without a hit: the completed probe nearest the target from below, never a fully pruned one', () => {
  // The bracket's cheaper end is a failed, fully pruned probe (cost 0): it has no structure to retrain.
  const probes = [probe('above', 'completed', 197), probe('pruned', 'failed', 0), probe('far', 'completed', 20), probe('near', 'completed', 70)];
  const outcome = { kind: 'exhausted' as const, above: { runId: 'above', strength: 1, cost: 197 }, below: { runId: 'pruned', strength: 2, cost: 0 }, message: '' };
  assert.deepEqual(structureToCompare(searchOf(probes, outcome)), { runId: 'near', cost: 70 });
});

test('nothing under the target: the cheapest completed structure; nothing completed: none', () => {
  assert.deepEqual(structureToCompare(searchOf([probe('x', 'completed', 300), probe('y', 'completed', 197), probe('z', 'failed', 0)])), { runId: 'y', cost: 197 });
  assert.equal(structureToCompare(searchOf([probe('z', 'failed', 0), probe('r', 'running', null)])), undefined);
});
