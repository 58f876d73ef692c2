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

/** Ticks in order of importance, kept greedily when their label box clears every kept one. */
export function nonOverlappingTicks(candidates: Tick[], position: (value: number) => number, priority: (value: number) => number): Tick[] {
  const kept: Array<Tick & { from: number; to: number }> = [];
  const ordered = [...candidates].sort((a, b) => priority(a.value) - priority(b.value));
  for (const tick of ordered) {
    const centre = position(tick.value);
    const half = estimatedLabelWidth(tick.label) / 2;
    const from = centre - half - TICK_GAP_PX / 2;
    const to = centre + half + TICK_GAP_PX / 2;
    if (kept.every((other) => to <= other.from || from >= other.to)) kept.push({ ...tick, from, to });
  }
  return kept.sort((a, b) => a.value - b.value).map(({ value, label }) => ({ value, label }));
}

/** 1, 10, 100 first; then 2 and 5 times a power of ten; then the rest. */
function logTickPriority(value: number): number {
  const mantissa = Math.round(value / 10 ** Math.floor(Math.log10(value) + 1e-9));
  if (mantissa === 1) return 0;
  if (mantissa === 2 || mantissa === 5) return 1;
  return 2;
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
  let candidates: number[];
  if (log) {
    // One distinct cost still needs a range around it: a factor of two each way.
    const [low, high] = lowest < highest ? [lowest, highest] : [lowest / 2, highest * 2];
    const margin = Math.max(1.02, (high / low) ** 0.04);
    x = scaleLog().domain([low / margin, high * margin]).range(range);
    candidates = x.ticks(40);
    // Under one decade d3 falls back to linear-like ticks; keep them, they are all the axis has.
    if (candidates.length < 2) candidates = scaleLinear().domain(x.domain()).ticks(8);
  } else {
    const [low, high] = lowest < highest ? [lowest, highest] : [lowest * 0.5, highest * 1.5 || 1];
    const margin = (high - low) * 0.04;
    x = scaleLinear().domain([Math.max(0, low - margin), high + margin]).range(range);
    candidates = x.ticks(Math.max(2, Math.floor((range[1] - range[0]) / 80)));
  }
  const [domainLow, domainHigh] = x.domain();
  const inDomain = candidates.filter((value) => value >= domainLow && value <= domainHigh && (!log || value > 0));
  const ticks = nonOverlappingTicks(
    inDomain.map((value) => ({ value, label: label(value) })),
    (value) => x(value),
    log ? logTickPriority : (value) => inDomain.indexOf(value) % 2,
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
