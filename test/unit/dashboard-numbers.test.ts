import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyScale, costScale, estimatedLabelWidth, type PlotBox } from '../../web/components/chart-axes.ts';
import { candidatesOf, frontKeys, parseBudget, recommendedPick } from '../../web/components/decision-points.ts';
import { compactNumber, formatAccuracy, formatCost, formatMultiplier, retrainScaling } from '../../web/components/format.ts';
import type { Front } from '../../web/hooks/dashboard-types.ts';
import { parseSweepConfig, InvalidSweepConfigError } from '../../src/sweep/config.ts';

const BOX: PlotBox = { width: 760, height: 420, top: 14, right: 24, bottom: 48, left: 60 };

test('costs read with SI prefixes to 3 digits and their unit spelled out', () => {
  assert.equal(formatCost(7_450_000, 'flops'), '7.45 MFLOPs');
  assert.equal(formatCost(18_542, 'flops'), '18.5 kFLOPs');
  assert.equal(formatCost(999_600, 'flops'), '1 MFLOPs');
  assert.equal(formatCost(12_345, 'model-size'), '12.3k weights');
  assert.equal(formatCost(186_000, 'latency'), '186 µs');
  assert.equal(formatCost(2_500_000, 'latency'), '2.5 ms');
  assert.equal(compactNumber(2_000_000), '2M');
  assert.equal(formatAccuracy(0.69), '69.0%');
  assert.equal(formatMultiplier(3.9956177978515623), '×4');
  assert.equal(formatMultiplier(0.8123), '×0.812');
  assert.equal(retrainScaling({ widthMultiplier: 1.0317, targetCost: 7.5e6 }, 'flops'), 'target 7.5 MFLOPs, width ×1.03');
  assert.equal(retrainScaling({ widthMultiplier: 1, targetCost: null }, 'flops'), 'as learned');
});

test('budgets parse as people type them', () => {
  for (const [text, expected] of [
    ['5M', 5e6],
    ['5e6', 5e6],
    ['5 MFLOPs', 5e6],
    ['2,000,000', 2e6],
    ['12.5k weights', 12_500],
    ['20k params', 20_000],
  ] as const) {
    assert.equal(parseBudget(text, 'flops'), expected, text);
  }
  assert.equal(parseBudget('2', 'latency'), 2e6, 'plain latency budgets are milliseconds');
  assert.equal(parseBudget('500 µs', 'latency'), 5e5);
  for (const bad of ['', 'cheap', '-1', '0', '5 parsecs']) assert.equal(parseBudget(bad, 'flops'), null, bad);
});

const front: Front = {
  sweepId: 's',
  cost: 'flops',
  seedNetwork: { cost: 18.5e6, accuracy: 0.712 },
  pareto: [
    { runId: 'a', strength: 1e-8, threshold: 0.02, seed: 0, cost: 2.1e6, accuracy: 0.55 },
    { runId: 'b', strength: 1e-8, threshold: 0.01, seed: 0, cost: 7e6, accuracy: 0.65 },
    { runId: 'c', strength: 1e-8, threshold: 0.005, seed: 0, cost: 11.2e6, accuracy: 0.68 },
  ],
  dominated: [{ runId: 'd', strength: 1e-8, threshold: 0.001, seed: 0, cost: 12e6, accuracy: 0.6 }],
  retrained: [{ retrainId: 'r', runId: 'b', widthMultiplier: 1.03, targetCost: 7.5e6, cost: 7.45e6, accuracy: 0.69 }],
};

test('the front and the pick are taken over runs, retrains and the seed', () => {
  const candidates = candidatesOf(front, 'sweep');
  assert.deepEqual(frontKeys(candidates), ['run:a', 'run:b', 'retrain:r', 'seed:s']);
  assert.equal(recommendedPick(candidates, 8e6)?.key, 'retrain:r');
  assert.equal(recommendedPick(candidates, 7e6)?.key, 'run:b', 'a budget equal to a cost includes it');
  assert.equal(recommendedPick(candidates, 1e9)?.key, 'seed:s');
  assert.equal(recommendedPick(candidates, 1e6), null);
  const retrain = candidates.find((candidate) => candidate.kind === 'retrain');
  assert.equal(retrain?.kind === 'retrain' ? retrain.source?.threshold : null, 0.01, 'a retrain knows the run it came from');
});

test('a log cost axis spans the data plus a margin, not decades beyond it, and its tick labels never touch', () => {
  const { x, ticks } = costScale([2.1e6, 14.7e6, 14.9e6, 18.5e6], { log: true, box: BOX, padPx: 14, label: compactNumber });
  const [low, high] = x.domain() as [number, number];
  assert.ok(low > 1.5e6 && high < 26e6, `domain ${low}..${high}`);
  // 1.4% apart in cost is a few pixels on a log axis: they may touch, the hover picks the nearest centre.
  assert.ok(Math.abs(x(14.9e6) - x(14.7e6)) > 3, 'points 1% apart are not drawn on the same spot');
  assert.ok(ticks.length >= 2);
  for (let index = 1; index < ticks.length; index += 1) {
    const gap = x(ticks[index]!.value) - x(ticks[index - 1]!.value);
    assert.ok(gap >= (estimatedLabelWidth(ticks[index]!.label) + estimatedLabelWidth(ticks[index - 1]!.label)) / 2, `${ticks[index - 1]!.label} / ${ticks[index]!.label}`);
  }
});

test('the accuracy axis fits the accuracies and its labels are distinct', () => {
  const { y, ticks } = accuracyScale([0.55, 0.7, 0.712], BOX);
  const [low, high] = y.domain() as [number, number];
  assert.ok(low > 0.5 && high < 0.73, `domain ${low}..${high}`);
  assert.equal(new Set(ticks.map((tick) => tick.label)).size, ticks.length);
  const close = accuracyScale([0.9851, 0.9862], BOX);
  assert.equal(new Set(close.ticks.map((tick) => tick.label)).size, close.ticks.length, close.ticks.map((tick) => tick.label).join(' '));
});

test('schema problems come out in words, from the schema itself', () => {
  try {
    parseSweepConfig({ name: '', dataset: 'synthetic', network: { name: 'vgg' }, regularizer: { algorithm: 'gamma', cost: 'flops' }, thresholds: [], strengths: { values: [1e-8] }, training: { steps: Number.NaN } });
    assert.fail('must be refused');
  } catch (error) {
    assert.ok(error instanceof InvalidSweepConfigError);
    const byPath = Object.fromEntries(error.problems.map((problem) => [problem.path, problem.message]));
    assert.equal(byPath.name, 'required: this cannot be empty');
    assert.equal(byPath['network.name'], 'choose one of: reference-cnn, resnet, mobilenet');
    assert.equal(byPath.thresholds, 'give at least one value');
    assert.match(byPath['training.steps']!, /^enter a (whole )?number$/);
  }
});
