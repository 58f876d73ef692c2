import { paretoFront } from '../../src/sweep/pareto.ts';
import type { CostAxis, Front, FrontPoint, RetrainedPoint } from '../hooks/dashboard-types.ts';

/**
 * Everything a sweep offers to ship, on one cost axis: its structure-learning runs, the retrains of
 * those structures (trained from scratch without the regularizer: what would really ship) and the
 * seed network as it is. The front the chart draws and the pick it recommends are taken over all of
 * them, so a retrain that beats the runs is on the front, not beside it.
 */

export type Candidate =
  | { kind: 'run'; key: string; sweepLabel: string; cost: number; accuracy: number; point: FrontPoint }
  | { kind: 'retrain'; key: string; sweepLabel: string; cost: number; accuracy: number; point: RetrainedPoint; source: FrontPoint | undefined }
  | { kind: 'seed'; key: string; sweepLabel: string; cost: number; accuracy: number };

export function candidatesOf(front: Front, sweepLabel: string): Candidate[] {
  const runs = [...front.pareto, ...front.dominated];
  const runById = new Map(runs.map((point) => [point.runId, point]));
  const candidates: Candidate[] = runs.map((point) => ({ kind: 'run', key: `run:${point.runId}`, sweepLabel, cost: point.cost, accuracy: point.accuracy, point }));
  for (const point of front.retrained) {
    candidates.push({ kind: 'retrain', key: `retrain:${point.retrainId}`, sweepLabel, cost: point.cost, accuracy: point.accuracy, point, source: runById.get(point.runId) });
  }
  const seed = front.seedNetwork;
  if (seed && seed.accuracy !== null) candidates.push({ kind: 'seed', key: `seed:${front.sweepId}`, sweepLabel, cost: seed.cost, accuracy: seed.accuracy });
  return candidates;
}

/** Keys of the candidates no other candidate beats on both cost and accuracy, cheapest first. */
export function frontKeys(candidates: Candidate[]): string[] {
  const { front } = paretoFront(
    candidates.map((candidate) => ({ candidate, costFlops: candidate.cost, valAccuracy: candidate.accuracy })),
    { cost: 'flops' },
  );
  return front.map(({ candidate }) => candidate.key);
}

/** The most accurate candidate that costs at most the budget (the cheaper one on a tie); null when none fits. */
export function recommendedPick<T extends { cost: number; accuracy: number }>(candidates: T[], budget: number): T | null {
  let best: T | null = null;
  for (const candidate of candidates) {
    if (!(candidate.cost <= budget)) continue;
    if (!best || candidate.accuracy > best.accuracy || (candidate.accuracy === best.accuracy && candidate.cost < best.cost)) best = candidate;
  }
  return best;
}

const SI_MULTIPLIERS: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
const TIME_TO_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };

/**
 * A budget as people type it: "5M", "5e6", "5 MFLOPs", "12.5k weights", "2 ms", "2000000".
 * Latency without a unit is read as milliseconds. Null when the text is not a positive amount.
 */
export function parseBudget(text: string, axis: CostAxis): number | null {
  const trimmed = text.trim().replace(/,/g, '');
  const match = /^([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*([a-zµ]*)\s*([a-z]*)$/i.exec(trimmed);
  if (!match) return null;
  const amount = Number(match[1]);
  let unit = match[2] + match[3];
  let scale: number | undefined;
  if (axis === 'latency') {
    scale = TIME_TO_NS[unit === '' ? 'ms' : unit];
  } else {
    unit = unit.replace(/(flops|weights?|params?)$/i, '');
    scale = SI_MULTIPLIERS[unit];
  }
  if (scale === undefined || !(amount > 0) || !Number.isFinite(amount)) return null;
  return amount * scale;
}
