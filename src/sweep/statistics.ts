/**
 * The statistics of the evidence loop: sample means, standard deviations and Welch's t interval of
 * the difference of two means. Pure (the workflows, the web app and the CLI import it).
 *
 * The t quantile is computed here rather than taken from a package: it is one function (the
 * regularized incomplete beta by its continued fraction, inverted by bisection), pinned in the tests
 * against the published table, and the sandboxed workflow code imports this file.
 */

export interface SampleSummary {
  count: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); 0 for a single value. */
  sd: number;
}

export interface DifferenceInterval {
  /** mean(a) - mean(b). */
  difference: number;
  low: number;
  high: number;
  /** Welch-Satterthwaite degrees of freedom. */
  degreesOfFreedom: number;
  level: number;
}

export function summarize(values: readonly number[]): SampleSummary {
  if (values.length === 0) throw new Error('summarize: no values');
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { count: values.length, mean, sd: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0 };
}

/**
 * Welch's two-sided interval for mean(a) - mean(b) at `level` (default 0.95); each sample needs at
 * least two values. When both samples have no spread the interval is the difference itself.
 */
export function welchInterval(a: readonly number[], b: readonly number[], level = 0.95): DifferenceInterval {
  if (a.length < 2 || b.length < 2) throw new Error(`welchInterval: each arm needs at least 2 values, got ${a.length} and ${b.length}`);
  const sa = summarize(a);
  const sb = summarize(b);
  const varianceA = sa.sd ** 2 / sa.count;
  const varianceB = sb.sd ** 2 / sb.count;
  const standardError = Math.sqrt(varianceA + varianceB);
  const difference = sa.mean - sb.mean;
  if (standardError === 0) return { difference, low: difference, high: difference, degreesOfFreedom: Infinity, level };
  const degreesOfFreedom = (varianceA + varianceB) ** 2 / (varianceA ** 2 / (sa.count - 1) + varianceB ** 2 / (sb.count - 1));
  const halfWidth = studentTQuantile(1 - (1 - level) / 2, degreesOfFreedom) * standardError;
  return { difference, low: difference - halfWidth, high: difference + halfWidth, degreesOfFreedom, level };
}

/** The p-quantile of Student's t distribution with `df` (> 0, not necessarily whole) degrees of freedom. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new Error(`studentTQuantile: df must be positive, got ${df}`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let low = 0;
  let high = 1;
  while (studentTCdf(high, df) < p) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-12 * Math.max(1, high); i++) {
    const middle = (low + high) / 2;
    if (studentTCdf(middle, df) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

export function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(df)) return normalCdf(t);
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  // Numerical Recipes' erfcc (fractional error < 1.2e-7), enough for an infinite-df quantile.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = coefficients[0];
  for (let i = 1; i < 9; i++) sum += coefficients[i] / (shifted + i);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** I_x(a, b) by Lentz's continued fraction (Numerical Recipes' betai/betacf). */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let result = d;
  for (let m = 1; m <= 300; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + even * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + even / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    result *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + odd * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + odd / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    result *= delta;
    if (Math.abs(delta - 1) < 3e-16) break;
  }
  return result;
}
