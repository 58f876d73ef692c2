/**
 * Target-cost search math: which regularization strengths to probe next so that a learned structure
 * lands within a tolerance of a target cost. Pure (the search workflow and the study script share it).
 *
 * The learned cost falls with the strength, steeply and not smoothly (on the reference CNN from 95 %
 * to 14.5 % of the seed between 3/cost0 and 5/cost0), so a fixed grid rarely lands on a middle
 * target. The search works in log10(strength): it walks out by growing steps until the target is
 * bracketed, then proposes the secant point of log(cost) inside the bracket (kept away from the
 * ends) plus, with more probes per round, points spread evenly across the bracket.
 */

export interface TargetSearchSettings {
  /** Absolute target on the sweep's cost axis. */
  targetCost: number;
  /** Relative: |cost - target| <= tolerance x target counts as a hit. */
  tolerance: number;
  /** log10 of the first strength probed (MorphNet's centre: 1 / initial cost). */
  startLogStrength: number;
  /** Probes per round (the sweep's concurrency). */
  probesPerRound: number;
  /** Rounds before the search gives up and reports the nearest structures. */
  maxRounds: number;
  /** A bracket narrower than this (in decades) with no hit means the cost jumps over the target. */
  minBracketDecades: number;
}

export interface Probe {
  logStrength: number;
  /** The learned structure's hard cost on the target axis. */
  cost: number;
  valAccuracy: number;
}

export type SearchVerdict =
  | { kind: 'continue'; logStrengths: number[] }
  | { kind: 'hit'; best: Probe }
  /** Probes a hair apart straddle the target: no strength lands on it. */
  | { kind: 'jump'; above: Probe; below: Probe }
  | { kind: 'exhausted'; above: Probe | null; below: Probe | null };

export const DEFAULT_SEARCH_LIMITS = { maxRounds: 8, minBracketDecades: 0.005 } as const;

/** Decades the first walk-out step spans; each further step doubles it. */
const FIRST_STEP_DECADES = 0.25;
/** The secant point is kept this share of the bracket away from either end (a safeguarded regula falsi). */
const BRACKET_MARGIN = 0.15;

export function withinTolerance(cost: number, settings: Pick<TargetSearchSettings, 'targetCost' | 'tolerance'>): boolean {
  return Math.abs(cost - settings.targetCost) <= settings.tolerance * settings.targetCost;
}

/**
 * The verdict after `round` completed rounds (0: nothing probed yet). Among hits the one with the
 * best validation accuracy wins (picks never look at the test split).
 */
export function nextSearchStep(probes: readonly Probe[], round: number, settings: TargetSearchSettings): SearchVerdict {
  const hits = probes.filter((probe) => withinTolerance(probe.cost, settings));
  if (hits.length > 0) return { kind: 'hit', best: hits.reduce((best, probe) => (probe.valAccuracy > best.valAccuracy ? probe : best)) };
  const { above, below } = bracketOf(probes, settings.targetCost);
  if (above && below && below.logStrength - above.logStrength < settings.minBracketDecades) return { kind: 'jump', above, below };
  if (round >= settings.maxRounds) return { kind: 'exhausted', above, below };
  const count = settings.probesPerRound;
  if (probes.length === 0) {
    // Around the start, spread like a first walk-out step.
    return { kind: 'continue', logStrengths: spread(settings.startLogStrength, FIRST_STEP_DECADES, count) };
  }
  if (above && below) return { kind: 'continue', logStrengths: insideBracket(above, below, settings.targetCost, count) };
  // One side only: walk further out, each round twice as far as the last, at most a decade.
  const step = Math.min(1, FIRST_STEP_DECADES * 2 ** round);
  if (above) return { kind: 'continue', logStrengths: Array.from({ length: count }, (_, i) => above.logStrength + (step * (i + 1)) / count) };
  const lowest = below!;
  return { kind: 'continue', logStrengths: Array.from({ length: count }, (_, i) => lowest.logStrength - (step * (i + 1)) / count) };
}

/**
 * The strongest probe still too expensive and the weakest already too cheap. When noise makes the
 * cost non-monotone the innermost pair is taken, so the bracket keeps shrinking.
 */
export function bracketOf(probes: readonly Probe[], targetCost: number): { above: Probe | null; below: Probe | null } {
  let above: Probe | null = null;
  let below: Probe | null = null;
  for (const probe of probes) {
    if (probe.cost > targetCost) {
      if (!above || probe.logStrength > above.logStrength) above = probe;
    } else if (!below || probe.logStrength < below.logStrength) {
      below = probe;
    }
  }
  if (above && below && below.logStrength < above.logStrength) {
    // Non-monotone: keep the tightest straddling pair.
    const belowRight = probes.filter((p) => p.cost <= targetCost && p.logStrength > above!.logStrength);
    below = belowRight.length > 0 ? belowRight.reduce((a, b) => (a.logStrength < b.logStrength ? a : b)) : below;
  }
  return { above, below };
}

function insideBracket(above: Probe, below: Probe, targetCost: number, count: number): number[] {
  const width = below.logStrength - above.logStrength;
  const low = above.logStrength + BRACKET_MARGIN * width;
  const high = below.logStrength - BRACKET_MARGIN * width;
  // Secant on log(cost), which the relaxation makes closer to linear in log(strength) than cost itself.
  const logCostAbove = Math.log(Math.max(above.cost, Number.MIN_VALUE));
  const logCostBelow = Math.log(Math.max(below.cost, Number.MIN_VALUE));
  const secant =
    logCostAbove === logCostBelow
      ? (low + high) / 2
      : above.logStrength + ((Math.log(targetCost) - logCostAbove) * width) / (logCostBelow - logCostAbove);
  const first = Math.min(high, Math.max(low, secant));
  if (count === 1) return [first];
  // The rest split the bracket evenly, skipping the slot nearest the secant point.
  const even = Array.from({ length: count }, (_, i) => above.logStrength + ((i + 1) * width) / (count + 1));
  const nearest = even.reduce((best, x, i) => (Math.abs(x - first) < Math.abs(even[best] - first) ? i : best), 0);
  return [first, ...even.filter((_, i) => i !== nearest)].sort((a, b) => a - b);
}

function spread(center: number, widthDecades: number, count: number): number[] {
  if (count === 1) return [center];
  return Array.from({ length: count }, (_, i) => center - widthDecades + (2 * widthDecades * i) / (count - 1));
}

/**
 * Whether a probe can stop early: after half its steps, a cost that has not moved by more than the
 * tolerance over the last quarter of the steps and sits more than three tolerances off target will
 * not come back within it. The history must cover that quarter.
 */
export function settledOffTarget(
  costHistory: readonly { step: number; cost: number }[],
  totalSteps: number,
  settings: Pick<TargetSearchSettings, 'targetCost' | 'tolerance'>,
): boolean {
  const last = costHistory.at(-1);
  if (!last || last.step < totalSteps / 2) return false;
  const windowStart = last.step - totalSteps / 4;
  // Costs that do not reach back that far (a resumed attempt without its predecessors') prove nothing.
  if (costHistory[0]!.step > Math.max(1, windowStart)) return false;
  const window = costHistory.filter((point) => point.step >= windowStart);
  const costs = window.map((point) => point.cost);
  const drift = (Math.max(...costs) - Math.min(...costs)) / settings.targetCost;
  const offBy = Math.abs(last.cost - settings.targetCost) / settings.targetCost;
  return drift <= settings.tolerance && offBy > 3 * settings.tolerance;
}

/** One probe as the search records it (a normal run of the sweep). */
export interface SearchProbeRecord {
  runId: string;
  strength: number;
  state: 'running' | 'completed' | 'failed' | 'cancelled';
  cost: number | null;
  valAccuracy: number | null;
  /** Steps trained; fewer than the config's when the probe stopped early (settled off target). */
  steps: number | null;
}

export interface SearchProbeSummary {
  runId: string;
  strength: number;
  cost: number;
}

export type SearchOutcome =
  | { kind: 'hit'; runId: string; cost: number; message: string }
  | { kind: 'jump'; above: SearchProbeSummary; below: SearchProbeSummary; suggestedWidthMultiplier: number | null; message: string }
  | { kind: 'exhausted'; above: SearchProbeSummary | null; below: SearchProbeSummary | null; message: string };

/** What the Sweep row and the progress query show of a target search: every round and the outcome. */
export interface TargetSearchState {
  targetCost: number;
  tolerance: number;
  rounds: { round: number; probes: SearchProbeRecord[] }[];
  outcome: SearchOutcome | null;
}

/** The sentence the API, the CLI and the dashboard show for an outcome. */
export function describeOutcome(
  verdict: Exclude<SearchVerdict, { kind: 'continue' }>,
  settings: Pick<TargetSearchSettings, 'targetCost' | 'tolerance'>,
  suggestedWidthMultiplier: number | null = null,
): string {
  const pct = (cost: number) => `${((cost / settings.targetCost) * 100).toFixed(1)} % of the target`;
  if (verdict.kind === 'hit') return `hit: a structure at ${pct(verdict.best.cost)} (within ±${(settings.tolerance * 100).toFixed(1)} %)`;
  if (verdict.kind === 'jump') {
    const widen = suggestedWidthMultiplier === null ? '' : `; widening the cheaper one by x${suggestedWidthMultiplier.toFixed(3)} meets the target`;
    return (
      `the cost jumps over the target between strengths ${(10 ** verdict.above.logStrength).toExponential(3)} (${pct(verdict.above.cost)}) ` +
      `and ${(10 ** verdict.below.logStrength).toExponential(3)} (${pct(verdict.below.cost)}): no strength lands in between${widen}`
    );
  }
  const near = [verdict.above, verdict.below].filter((probe): probe is Probe => probe !== null).map((probe) => pct(probe.cost));
  return `no structure within ±${(settings.tolerance * 100).toFixed(1)} % after the last round; nearest: ${near.join(', ') || 'none'}; raise maxRounds or the tolerance`;
}
