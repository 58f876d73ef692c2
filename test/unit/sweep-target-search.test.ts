import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSweepConfig, InvalidSweepConfigError } from '../../src/sweep/config.ts';
import { nextSearchStep, settledOffTarget, withinTolerance, type Probe, type TargetSearchSettings } from '../../src/sweep/target-search.ts';

/** Run the search against a cost function of log10(strength); returns the verdict and the probes made. */
function search(costAt: (logStrength: number) => number, settings: TargetSearchSettings) {
  const probes: Probe[] = [];
  let verdict = nextSearchStep(probes, 0, settings);
  for (let round = 1; verdict.kind === 'continue'; round++) {
    for (const logStrength of verdict.logStrengths) probes.push({ logStrength, cost: costAt(logStrength), valAccuracy: 0.5 });
    verdict = nextSearchStep(probes, round, settings);
  }
  return { verdict, probes };
}

const base: TargetSearchSettings = { targetCost: 50, tolerance: 0.05, startLogStrength: -7, probesPerRound: 2, maxRounds: 8, minBracketDecades: 0.005 };

describe('target-cost search math', () => {
  it('brackets and closes in on a steep sigmoid cost curve', () => {
    // 95 % -> 14.5 % of the seed within a fifth of a decade, as the reference CNN does.
    const costAt = (x: number) => 100 / (1 + Math.exp((x + 6.3) * 12));
    const { verdict, probes } = search(costAt, base);
    assert.equal(verdict.kind, 'hit');
    assert.ok(verdict.kind === 'hit' && withinTolerance(verdict.best.cost, base));
    assert.ok(probes.length <= 2 * base.maxRounds);
  });

  it('reports a jump between two strengths a hair apart when the cost is a step', () => {
    const costAt = (x: number) => (x < -6.5 ? 90 : 10);
    const { verdict } = search(costAt, { ...base, probesPerRound: 1, maxRounds: 30 });
    assert.equal(verdict.kind, 'jump');
    if (verdict.kind !== 'jump') return;
    assert.ok(verdict.above.cost === 90 && verdict.below.cost === 10);
    assert.ok(verdict.below.logStrength - verdict.above.logStrength < base.minBracketDecades);
  });

  it('gives up after maxRounds and names the nearest probes', () => {
    const { verdict } = search(() => 80, { ...base, maxRounds: 3 });
    assert.equal(verdict.kind, 'exhausted');
  });

  it('stops a probe only once its cost settled far off target, after half its steps', () => {
    const flat = Array.from({ length: 60 }, (_, i) => ({ step: i + 1, cost: 90 }));
    assert.equal(settledOffTarget(flat, 100, base), true);
    assert.equal(settledOffTarget(flat.slice(0, 40), 100, base), false, 'not before half the steps');
    const falling = flat.map((point) => ({ ...point, cost: 100 - point.step }));
    assert.equal(settledOffTarget(falling, 100, base), false, 'still moving');
    const near = flat.map((point) => ({ ...point, cost: 55 }));
    assert.equal(settledOffTarget(near, 100, base), false, 'within three tolerances');    // A history that does not reach back a quarter of the run (an attempt resumed from a checkpoint
    // without its earlier costs) says nothing about settling.
    assert.equal(settledOffTarget(flat.slice(55), 100, base), false, 'look-back not covered');
    assert.equal(settledOffTarget(flat.slice(34), 100, base), true, 'look-back covered from step 35 on');
  });

  it('takes a target in the config instead of a grid, one threshold and one seed', () => {
    const config = {
      name: 't',
      dataset: 'synthetic:classes=3',
      network: { name: 'reference-cnn' },
      regularizer: { algorithm: 'gamma', cost: 'flops' },
      thresholds: [0.01],
      strengths: { target: { fractionOfSeed: 0.5 } },
      training: { steps: 10 },
    };
    assert.deepEqual(parseSweepConfig(config).strengths, { target: { fractionOfSeed: 0.5, tolerance: 0.05, maxRounds: 8 } });
    assert.throws(() => parseSweepConfig({ ...config, strengths: { target: { cost: 1e6, fractionOfSeed: 0.5 } } }), InvalidSweepConfigError);
    assert.throws(() => parseSweepConfig({ ...config, thresholds: [0.01, 0.1] }), /one threshold/);
  });
});
