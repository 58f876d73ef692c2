import type { CostKind } from './config.ts';

/** What the front needs from a run (a Run row fits as is). Null or missing values leave a point out. */
export interface ParetoCandidate {
  costFlops?: number | null;
  costModelSize?: number | null;
  costLatencyNs?: number | null;
  valAccuracy?: number | null;
  testAccuracy?: number | null;
}

export interface ParetoOptions {
  cost: CostKind;
  /** Which accuracy to maximize; validation by default so picking a point never peeks at the test set. */
  accuracy?: 'validation' | 'test';
}

export interface ParetoResult<T> {
  /** Non-dominated points, cheapest first (accuracy rises along it). */
  front: T[];
  /** Points some other point beats or ties on both axes while beating on one. */
  dominated: T[];
  /** Points without a finite cost or accuracy on the chosen axes (unfinished or failed runs). */
  excluded: T[];
}

export function costOf(point: ParetoCandidate, cost: CostKind): number | null | undefined {
  if (cost === 'flops') return point.costFlops;
  if (cost === 'model-size') return point.costModelSize;
  return point.costLatencyNs;
}

export function accuracyOf(point: ParetoCandidate, accuracy: 'validation' | 'test'): number | null | undefined {
  return accuracy === 'test' ? point.testAccuracy : point.valAccuracy;
}

/**
 * The cost/accuracy Pareto front (minimize cost, maximize accuracy). A point is on the front when no
 * other point is at least as good on both axes and strictly better on one; exact duplicates of a
 * front point are on the front too. O(n log n): sort by cost, keep the best accuracy seen so far.
 */
export function paretoFront<T extends ParetoCandidate>(points: readonly T[], options: ParetoOptions): ParetoResult<T> {
  const accuracyAxis = options.accuracy ?? 'validation';
  const scored: { point: T; cost: number; accuracy: number }[] = [];
  const excluded: T[] = [];
  for (const point of points) {
    const cost = costOf(point, options.cost);
    const accuracy = accuracyOf(point, accuracyAxis);
    if (typeof cost === 'number' && Number.isFinite(cost) && typeof accuracy === 'number' && Number.isFinite(accuracy)) {
      scored.push({ point, cost, accuracy });
    } else {
      excluded.push(point);
    }
  }
  scored.sort((a, b) => a.cost - b.cost || b.accuracy - a.accuracy);
  const front: T[] = [];
  const dominated: T[] = [];
  let best: { cost: number; accuracy: number } | undefined;
  for (const entry of scored) {
    const isDuplicateOfBest = best !== undefined && entry.cost === best.cost && entry.accuracy === best.accuracy;
    if (best === undefined || entry.accuracy > best.accuracy || isDuplicateOfBest) {
      front.push(entry.point);
      best = { cost: entry.cost, accuracy: entry.accuracy };
    } else {
      dominated.push(entry.point);
    }
  }
  return { front, dominated, excluded };
}
