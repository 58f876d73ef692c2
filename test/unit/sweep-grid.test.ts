import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSweepConfig, type SweepConfigInput } from '../../src/sweep/config.ts';
import { expandGrid } from '../../src/sweep/grid.ts';
import { strengthGridSize } from '../../src/morphnet/strengths.ts';
import { runIdFor } from '../../src/sweep/run-id.ts';

const base: SweepConfigInput = {
  name: 'grid',
  dataset: 'synthetic:classes=3,size=8,channels=1,train=64,test=32,seed=1',
  network: { name: 'reference-cnn' },
  regularizer: { algorithm: 'gamma', cost: 'flops' },
  thresholds: [0.01, 0.1],
  strengths: { grid: { decades: 1, perDecade: 2 } },
  training: { steps: 5 },
  seeds: [0, 1],
};

function close(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.abs(expected), `${actual} != ${expected}`);
}

test('expandGrid centres on 1/initial cost and crosses strengths x thresholds x seeds', () => {
  const config = parseSweepConfig(base);
  const points = expandGrid(config, 2e6);
  assert.equal(strengthGridSize({ decades: 1, perDecade: 2 }), 5);
  assert.equal(points.length, 5 * 2 * 2);
  const strengths = [...new Set(points.map((p) => p.strength))];
  // One decade each side of 1/cost, two points per decade, evenly spaced in log10.
  [1 / 2e6 / 10, 1 / 2e6 / Math.sqrt(10), 1 / 2e6, Math.sqrt(10) / 2e6, 10 / 2e6].forEach((expected, i) => close(strengths[i]!, expected));
  assert.deepEqual(points.map((p) => p.index), points.map((_, i) => i));
  const keys = new Set(points.map((p) => `${p.strength}|${p.threshold}|${p.seed}`));
  assert.equal(keys.size, points.length, 'every point distinct');
  assert.deepEqual(points.slice(0, 4).map((p) => [p.threshold, p.seed]), [[0.01, 0], [0.01, 1], [0.1, 0], [0.1, 1]]);
});

test('expandGrid uses explicit strengths or an explicit centre unchanged', () => {
  const explicit = parseSweepConfig({ ...base, strengths: { values: [1e-3, 1e-4] }, seeds: [0] });
  assert.deepEqual(expandGrid(explicit, 123).map((p) => p.strength), [1e-3, 1e-3, 1e-4, 1e-4]);
  const centred = parseSweepConfig({ ...base, strengths: { grid: { decades: 0, perDecade: 1, center: 0.5 } }, seeds: [0] });
  expandGrid(centred, 0).forEach((p) => close(p.strength, 0.5));
  assert.equal(expandGrid(centred, 0).length, 2);
});

test('expandGrid refuses to centre on a zero cost', () => {
  assert.throws(() => expandGrid(parseSweepConfig(base), 0), /give strengths.grid.center or explicit strengths.values/);
});

test('run ids depend on (sweep, strength, threshold, seed) only', () => {
  const point = { strength: 1e-7, threshold: 0.1, seed: 3 };
  assert.equal(runIdFor('sw-a', point), runIdFor('sw-a', { ...point }));
  const others = [
    runIdFor('sw-b', point),
    runIdFor('sw-a', { ...point, strength: 1.0000000000000002e-7 }),
    runIdFor('sw-a', { ...point, threshold: 0.01 }),
    runIdFor('sw-a', { ...point, seed: 4 }),
  ];
  assert.equal(new Set([runIdFor('sw-a', point), ...others]).size, 5);
  assert.match(runIdFor('sw-a', point), /^sw-a-[0-9a-f]{16}$/);
});
