import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { studentTQuantile, summarize, welchInterval } from '../../src/sweep/statistics.ts';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ${expected} ± ${tolerance}`);

describe('evidence statistics', () => {
  it('summarizes with the sample standard deviation', () => {
    const summary = summarize([0.85, 0.87, 0.86]);
    assert.equal(summary.count, 3);
    close(summary.mean, 0.86, 1e-12, 'mean');
    close(summary.sd, 0.01, 1e-12, 'sd');
    assert.deepEqual(summarize([0.5]), { count: 1, mean: 0.5, sd: 0 });
  });

  it("matches the t table's two-sided 95 % quantiles", () => {
    const table: Array<[number, number]> = [
      [1, 12.7062],
      [2, 4.3027],
      [4, 2.7764],
      [10, 2.2281],
      [30, 2.0423],
      [Infinity, 1.96],
    ];
    for (const [df, quantile] of table) close(studentTQuantile(0.975, df), quantile, 1e-4, `t(0.975, ${df})`);
    close(studentTQuantile(0.025, 4), -2.7764, 1e-4, 't(0.025, 4)');
  });

  it("gives Welch's interval of a hand-computed case", () => {
    // a: mean 0.86, sd 0.01; b: mean 0.83, sd 0.01; n = 3 each. SE = sqrt(2 * 1e-4 / 3) = 0.0081650,
    // Welch df = (2v)^2 / (2 v^2 / 2) = 4, t(0.975, 4) = 2.776445, half width = 0.022670.
    const interval = welchInterval([0.85, 0.87, 0.86], [0.83, 0.84, 0.82]);
    close(interval.difference, 0.03, 1e-12, 'difference');
    close(interval.degreesOfFreedom, 4, 1e-9, 'df');
    close(interval.low, 0.03 - 0.02267, 2e-5, 'low');
    close(interval.high, 0.03 + 0.02267, 2e-5, 'high');
    // Unequal sizes and spreads: a = 1..4 (var 5/3), b = {2, 4} (var 2): df = 1.897.
    const unequal = welchInterval([1, 2, 3, 4], [2, 4]);
    close(unequal.degreesOfFreedom, (5 / 12 + 1) ** 2 / ((5 / 12) ** 2 / 3 + 1), 1e-9, 'df');
    assert.ok(unequal.low < -0.5 && unequal.high > -0.5);
  });

  it('refuses arms too small for an interval', () => {
    assert.throws(() => welchInterval([1], [1, 2]), /at least 2 values/);
  });
});
