import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidSweepConfigError, latencyHardwareOf, parseSweepConfig, type ConfigProblem } from '../../src/sweep/config.ts';

const valid = {
  name: 'ok',
  dataset: 'synthetic:classes=3,size=8,channels=1,train=64,test=32,seed=1',
  network: { name: 'reference-cnn' },
  regularizer: { algorithm: 'gamma', cost: 'flops' },
  thresholds: [0.01],
  strengths: { values: [1e-6] },
  training: { steps: 5 },
};

function problemsOf(input: unknown): ConfigProblem[] {
  try {
    parseSweepConfig(input);
  } catch (error) {
    assert.ok(error instanceof InvalidSweepConfigError);
    return error.problems;
  }
  assert.fail('config was accepted');
}

test('a valid config gets its defaults', () => {
  const config = parseSweepConfig(valid);
  assert.deepEqual(config.seeds, [0]);
  assert.equal(config.concurrency, 4);
  assert.equal(config.training.batchSize, 64);
  assert.equal(latencyHardwareOf(config), 'V100');
  assert.equal(latencyHardwareOf(parseSweepConfig({ ...valid, regularizer: { algorithm: 'gamma', cost: 'latency', hardware: 'T4' } })), 'T4');
});

test('every problem is listed at once: broken fields and cross-field rules together', () => {
  const problems = problemsOf({
    ...valid,
    name: '',
    network: { name: 'vgg' },
    regularizer: { algorithm: 'gamma', cost: 'latency', hardware: 'Z80' },
    thresholds: [0.1, 0.1],
    strengths: { values: [-1] },
    training: { steps: 5, epochs: 2, batchSize: 0 },
    seeds: [1, 1],
    surprise: true,
  });
  const paths = problems.map((p) => p.path).sort();
  assert.deepEqual(paths, [
    '',
    'name',
    'network.name',
    'regularizer.hardware',
    'seeds',
    'strengths.values.0',
    'thresholds',
    'training',
    'training.batchSize',
  ]);
  const byPath = new Map(problems.map((p) => [p.path, p]));
  assert.match(byPath.get('regularizer.hardware')!.message, /unknown device; known devices: .*V100/);
  assert.equal(byPath.get('regularizer.hardware')!.value, 'Z80');
  assert.match(byPath.get('training')!.message, /exactly one of training.steps or training.epochs/);
  assert.match(byPath.get('')!.message, /surprise/);
  assert.equal(byPath.get('strengths.values.0')!.value, -1);
});

test('a sweep needs a validation split: points are picked on it, never on the test split', () => {
  const problems = problemsOf({ ...valid, validationFraction: 0 });
  assert.deepEqual(problems.map((p) => p.path), ['validationFraction']);
  assert.match(problems[0]!.message, /must be > 0: .*never on the test split/);
});

test('a strengths object of neither shape says which shapes exist', () => {
  const problems = problemsOf({ ...valid, strengths: { some: 1 } });
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.path, 'strengths');
  assert.match(problems[0]!.message, /"values".*"grid"/);
});

test('non-object input and oversize grids are rejected with reasons', () => {
  assert.equal(problemsOf('nope')[0]!.path, '');
  const big = problemsOf({ ...valid, thresholds: Array.from({ length: 100 }, (_, i) => i + 1), strengths: { values: Array.from({ length: 101 }, (_, i) => i + 1) } });
  assert.deepEqual(big.map((p) => p.path), ['strengths']);
  assert.match(big[0]!.message, /10100 grid points .* split it into several sweeps/);
});

test('the error message names every problem on its own line', () => {
  try {
    parseSweepConfig({ ...valid, name: '', thresholds: [] });
    assert.fail('accepted');
  } catch (error) {
    assert.ok(error instanceof InvalidSweepConfigError);
    assert.match(error.message, /^invalid sweep config \(2 problems\):\n {2}- name: .*\n {2}- thresholds: /);
  }
});
