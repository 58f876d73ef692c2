import { scaleLinear, scaleLog, type ScaleLinear, type ScaleLogarithmic } from 'd3-scale';

/**
 * Axes of the front chart, fitted to the data: the cost axis spans the points plus a small margin
 * (a .nice() log axis ran up to three decades past them and squeezed the points together), the
 * accuracy axis the measured accuracies (not always up to 100%). Tick labels are kept only where
 * their boxes do not touch: labels are estimated from their text at the chart's font size.
 */

export interface PlotBox {
  width: number;
  height: number;
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface Tick {
  value: number;
  label: string;
}

/** Rough width of a 12 px system-font label; the browser tests measure the real boxes. */
export const TICK_FONT_PX = 12;
const CHAR_WIDTH_PX = 7;
const TICK_GAP_PX = 10;

export function estimatedLabelWidth(label: string): number {
  return label.length * CHAR_WIDTH_PX;
}

/** More ticks than this crowd an axis even when their labels fit. */
const MAX_TICKS = 9;

/** Ticks in order of importance, kept greedily when their label box clears every kept one. */
export function nonOverlappingTicks(candidates: Tick[], position: (value: number) => number, priority: (value: number) => number): Tick[] {
  const kept: Array<Tick & { from: number; to: number }> = [];
  const ordered = [...candidates].sort((a, b) => priority(a.value) - priority(b.value));
  for (const tick of ordered) {
    if (kept.length >= MAX_TICKS) break;
    const centre = position(tick.value);
    const half = estimatedLabelWidth(tick.label) / 2;
    const from = centre - half - TICK_GAP_PX / 2;
    const to = centre + half + TICK_GAP_PX / 2;
    if (kept.every((other) => to <= other.from || from >= other.to)) kept.push({ ...tick, from, to });
  }
  return kept.sort((a, b) => a.value - b.value).map(({ value, label }) => ({ value, label }));
}

/**
 * Log-axis tick candidates in tiers of roundness: powers of ten, then 2 and 5 times them, then 3,
 * then the other digits. Kept greedily by tier, so a wide axis reads 2M 3M 5M 10M 20M and a narrow
 * one 2M 5M 10M 20M, never 2.5M 3.5M 4.5M.
 */
const LOG_TIERS: number[][] = [[1], [2, 5], [3], [4, 6, 7, 8, 9]];

function logTickCandidates(low: number, high: number): Array<{ value: number; tier: number }> {
  const candidates: Array<{ value: number; tier: number }> = [];
  for (let exponent = Math.floor(Math.log10(low)); exponent <= Math.ceil(Math.log10(high)); exponent += 1) {
    LOG_TIERS.forEach((mantissas, tier) => {
      for (const mantissa of mantissas) {
        const value = Number((mantissa * 10 ** exponent).toPrecision(6));
        if (value >= low && value <= high) candidates.push({ value, tier });
      }
    });
  }
  return candidates;
}

export interface CostScale {
  x: ScaleLinear<number, number> | ScaleLogarithmic<number, number>;
  ticks: Tick[];
}

export function costScale(costs: number[], options: { log: boolean; box: PlotBox; padPx: number; label: (cost: number) => string }): CostScale {
  const { log, box, padPx, label } = options;
  const usable = costs.filter((cost) => Number.isFinite(cost) && (!log || cost > 0));
  const lowest = Math.min(...usable);
  const highest = Math.max(...usable);
  const range = [box.left + padPx, box.width - box.right - padPx];
  let x: CostScale['x'];
  let candidates: Array<{ value: number; tier: number }>;
  if (log) {
    // One distinct cost still needs a range around it: a factor of two each way.
    const [low, high] = lowest < highest ? [lowest, highest] : [lowest / 2, highest * 2];
    const margin = Math.max(1.02, (high / low) ** 0.04);
    x = scaleLog().domain([low / margin, high * margin]).range(range);
    const [domainLow, domainHigh] = x.domain() as [number, number];
    candidates = logTickCandidates(domainLow, domainHigh);
  } else {
    const [low, high] = lowest < highest ? [lowest, highest] : [lowest * 0.5, highest * 1.5 || 1];
    const margin = (high - low) * 0.04;
    x = scaleLinear().domain([Math.max(0, low - margin), high + margin]).range(range);
    const [domainLow, domainHigh] = x.domain() as [number, number];
    // Dense round ticks, every second one first: thinning never leaves an odd-looking set.
    candidates = x
      .ticks(Math.max(4, Math.floor((range[1]! - range[0]!) / 50)))
      .filter((value) => value >= domainLow && value <= domainHigh)
      .map((value, index) => ({ value, tier: index % 2 }));
  }
  const tierOf = new Map(candidates.map(({ value, tier }) => [value, tier]));
  const ticks = nonOverlappingTicks(
    candidates.map(({ value }) => ({ value, label: label(value) })),
    (value) => x(value),
    (value) => tierOf.get(value) ?? 9,
  );
  return { x, ticks };
}

export interface AccuracyScale {
  y: ScaleLinear<number, number>;
  ticks: Tick[];
}

export function accuracyScale(accuracies: number[], box: PlotBox): AccuracyScale {
  const finite = accuracies.filter(Number.isFinite);
  const lowest = finite.length ? Math.min(...finite) : 0;
  const highest = finite.length ? Math.max(...finite) : 1;
  const span = Math.max(highest - lowest, 0.02);
  const low = Math.max(0, lowest - span * 0.08);
  const high = Math.min(1, highest + span * 0.08);
  const y = scaleLinear().domain([low, high]).range([box.height - box.bottom, box.top]);
  const values = y.ticks(Math.max(3, Math.floor((box.height - box.top - box.bottom) / 50)));
  const step = values.length > 1 ? values[1]! - values[0]! : 0.1;
  // As many decimals as the step needs, so neighbouring ticks never read the same.
  const decimals = Math.max(0, Math.ceil(-Math.log10(step * 100) - 1e-9));
  return { y, ticks: values.map((value) => ({ value, label: `${(value * 100).toFixed(decimals)}%` })) };
}
