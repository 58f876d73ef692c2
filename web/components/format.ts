import type { CostAxis, Costs } from '../hooks/dashboard-types.ts';

/**
 * Every number the dashboard shows goes through here, so one quantity reads the same on a tick, in a
 * table and in a message: SI prefixes to 3 significant digits, percent with one decimal ("69.0%",
 * ticks "70%"), multipliers to 3 digits ("×0.812"), units spelled out ("weights", not "kweights").
 */

export const COST_AXIS_LABELS: Record<CostAxis, string> = {
  flops: 'FLOPs',
  'model-size': 'Model size (weights)',
  latency: 'Latency',
};

/** The unit a cost axis counts in, as it follows a number. */
const COST_UNITS: Record<Exclude<CostAxis, 'latency'>, string> = { flops: 'FLOPs', 'model-size': 'weights' };

const SI_PREFIXES: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** 3 significant digits without trailing zeros after the point ("2", "2.5", "14.7"). */
function threeDigits(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** A count split into a 3-digit number and its SI prefix: 18542 -> ["18.5", "k"]. */
function siParts(value: number): [string, string] {
  for (const [scale, prefix] of SI_PREFIXES) {
    // Rounding can carry into the next prefix (999,600 reads 1M, not 1000k).
    if (Math.abs(Number(value.toPrecision(3))) >= scale) return [threeDigits(value / scale), prefix];
  }
  return [threeDigits(value), ''];
}

/** "3.75M", "940", "12.5k": a count with an SI prefix and no unit. */
export function compactNumber(value: number): string {
  return siParts(value).join('');
}

function formatLatency(ns: number): string {
  if (Math.abs(Number(ns.toPrecision(3))) >= 1e9) return `${threeDigits(ns / 1e9)} s`;
  if (Math.abs(Number(ns.toPrecision(3))) >= 1e6) return `${threeDigits(ns / 1e6)} ms`;
  if (Math.abs(Number(ns.toPrecision(3))) >= 1e3) return `${threeDigits(ns / 1e3)} µs`;
  return `${threeDigits(ns)} ns`;
}

/** A cost with its unit: "7.45 MFLOPs", "12.3k weights", "1.2 ms" (latency is stored in ns). */
export function formatCost(cost: number, axis: CostAxis): string {
  if (axis === 'latency') return formatLatency(cost);
  const [number, prefix] = siParts(cost);
  // FLOPs take the prefix as one word (MFLOPs); weights read as a count ("12.3k weights").
  return axis === 'flops' ? `${number} ${prefix}FLOPs` : `${number}${prefix} ${COST_UNITS[axis]}`;
}

/** A tick label: the number only where the axis title carries the unit. */
export function formatCostTick(cost: number, axis: CostAxis): string {
  return axis === 'latency' ? formatLatency(cost) : compactNumber(cost);
}

export function formatAccuracy(accuracy: number | null): string {
  return accuracy === null ? '–' : `${(accuracy * 100).toFixed(1)}%`;
}

/** An accuracy difference in percentage points: "+1.2 pp", "−0.4 pp". */
export function formatAccuracyChange(change: number): string {
  const points = change * 100;
  return `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(1)} pp`;
}

export function formatPercentTick(fraction: number, decimals: number): string {
  return `${(fraction * 100).toFixed(decimals)}%`;
}

/** A fraction of a reference, e.g. a cost against the seed network's: "14.5%". */
export function formatShare(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

export function formatStrength(strength: number): string {
  return strength.toExponential(2);
}

/** "×0.812", "×1.5": a width multiplier to 3 significant digits. */
export function formatMultiplier(multiplier: number): string {
  return `×${threeDigits(multiplier)}`;
}

/** A run in words, beside its id: "strength 3.16e-8, threshold 0.01, seed 0". */
export function runLabel(run: { strength: number; threshold: number; seed: number }): string {
  return `strength ${formatStrength(run.strength)}, threshold ${run.threshold}, seed ${run.seed}`;
}

/** How a retrain scaled its structure: as learned, by a multiplier, or to a target cost (and the multiplier that met it). */
export function retrainScaling(retrain: { widthMultiplier: number | null; targetCost: number | null }, axis: CostAxis): string {
  if (retrain.targetCost !== null) {
    const met = retrain.widthMultiplier !== null ? `, width ${formatMultiplier(retrain.widthMultiplier)}` : '';
    return `target ${formatCost(retrain.targetCost, axis)}${met}`;
  }
  if (retrain.widthMultiplier !== null && retrain.widthMultiplier !== 1) return `width ${formatMultiplier(retrain.widthMultiplier)}`;
  return 'as learned';
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

export function costOnAxis(costs: Costs, axis: CostAxis): number | null {
  if (axis === 'flops') return costs.flops;
  if (axis === 'model-size') return costs.modelSize;
  return costs.latencyNs;
}
