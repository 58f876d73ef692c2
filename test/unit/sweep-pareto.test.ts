import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paretoFront, type ParetoCandidate } from '../../src/sweep/pareto.ts';

interface Point extends ParetoCandidate {
  id: number;
}

/** The definition, O(n^2): dominated iff some other point is no worse on both axes and better on one. */
function bruteForceFront(points: Point[], accuracyKey: 'valAccuracy' | 'testAccuracy'): Set<number> {
  const valid = points.filter((p) => typeof p.costFlops === 'number' && typeof p[accuracyKey] === 'number');
  const front = new Set<number>();
  for (const p of valid) {
    const dominated = valid.some(
      (q) =>
        q !== p &&
        q.costFlops! <= p.costFlops! &&
        q[accuracyKey]! >= p[accuracyKey]! &&
        (q.costFlops! < p.costFlops! || q[accuracyKey]! > p[accuracyKey]!),
    );
    if (!dominated) front.add(p.id);
  }
  return front;
}

/** Small integer grids make ties and duplicates common, which is where front code goes wrong. */
function randomPoints(seed: number, count: number): Point[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return Array.from({ length: count }, (_, id) => ({
    id,
    costFlops: next() < 0.1 ? null : Math.floor(next() * 8),
    valAccuracy: next() < 0.1 ? null : Math.floor(next() * 8) / 8,
    testAccuracy: Math.floor(next() * 5) / 5,
  }));
}

test('paretoFront matches the brute-force definition on random points with ties and gaps', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const points = randomPoints(seed, 1 + (seed % 40));
    const { front, dominated, excluded } = paretoFront(points, { cost: 'flops' });
    assert.deepEqual(new Set(front.map((p) => p.id)), bruteForceFront(points, 'valAccuracy'), `seed ${seed}`);
    assert.equal(front.length + dominated.length + excluded.length, points.length);
    for (let i = 1; i < front.length; i++) assert.ok(front[i]!.costFlops! >= front[i - 1]!.costFlops!, 'front sorted by cost');
  }
});

test('paretoFront reads the chosen cost axis and accuracy', () => {
  const points = [
    { id: 1, costFlops: 10, costModelSize: 1, costLatencyNs: 5, valAccuracy: 0.9, testAccuracy: 0.5 },
    { id: 2, costFlops: 1, costModelSize: 10, costLatencyNs: 5, valAccuracy: 0.8, testAccuracy: 0.6 },
  ];
  assert.deepEqual(paretoFront(points, { cost: 'flops' }).front.map((p) => p.id), [2, 1]);
  assert.deepEqual(paretoFront(points, { cost: 'model-size' }).front.map((p) => p.id), [1]);
  assert.deepEqual(paretoFront(points, { cost: 'latency' }).front.map((p) => p.id), [1]);
  assert.deepEqual(paretoFront(points, { cost: 'latency', accuracy: 'test' }).front.map((p) => p.id), [2]);
  for (let seed = 1; seed <= 50; seed++) {
    const random = randomPoints(seed, 30);
    const { front } = paretoFront(random, { cost: 'flops', accuracy: 'test' });
    assert.deepEqual(new Set(front.map((p) => p.id)), bruteForceFront(random, 'testAccuracy'));
  }
});

test('paretoFront leaves out unfinished runs and non-finite values', () => {
  const points = [
    { id: 1, costFlops: null, valAccuracy: 0.9 },
    { id: 2, costFlops: Number.NaN, valAccuracy: 0.9 },
    { id: 3, costFlops: 3, valAccuracy: undefined },
    { id: 4, costFlops: 3, valAccuracy: 0.1 },
  ];
  const result = paretoFront(points, { cost: 'flops' });
  assert.deepEqual(result.front.map((p) => p.id), [4]);
  assert.deepEqual(result.excluded.map((p) => p.id), [1, 2, 3]);
});
