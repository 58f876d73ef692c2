import type { FrontPoint } from '../hooks/dashboard-types.ts';

/**
 * Which dominated points the chart draws. SVG costs a DOM node per marker: at 10,000 points the
 * page took tens of seconds to draw and every hover redrew them all. The front, the seed network and
 * retrained points are always drawn exactly; the dominated cloud is drawn whole up to
 * DRAW_ALL_DOMINATED_UP_TO points, and beyond that as one real point per occupied cell of a
 * DOMINATED_GRID laid over the cloud's extent (log cost when the axis is log), so the chart still
 * shows where dominated points lie and each drawn marker still has its own hover details. The table
 * lists every point.
 */

export const DRAW_ALL_DOMINATED_UP_TO = 1000;
export const DOMINATED_GRID = { columns: 64, rows: 32 } as const;

export interface DominatedSample {
  drawn: FrontPoint[];
  /** How many dominated points there are in all. */
  total: number;
  /** True when `drawn` is one point per grid cell rather than every point. */
  binned: boolean;
}

function extent(values: number[]): { low: number; span: number } {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  return { low, span: high - low };
}

function cellIndex(value: number, range: { low: number; span: number }, cells: number): number {
  if (!Number.isFinite(value) || !(range.span > 0)) return 0;
  return Math.min(cells - 1, Math.max(0, Math.floor(((value - range.low) / range.span) * cells)));
}

/** The cell's representative: most accurate, then cheapest, then by run id, so a redraw picks the same one. */
function represents(candidate: FrontPoint, current: FrontPoint): boolean {
  if (candidate.accuracy !== current.accuracy) return candidate.accuracy > current.accuracy;
  if (candidate.cost !== current.cost) return candidate.cost < current.cost;
  return candidate.runId < current.runId;
}

export function sampleDominated(dominated: FrontPoint[], logCost: boolean): DominatedSample {
  if (dominated.length <= DRAW_ALL_DOMINATED_UP_TO) return { drawn: dominated, total: dominated.length, binned: false };
  // A log axis cannot place cost <= 0 anyway; those points share the leftmost column.
  const x = (point: FrontPoint) => (logCost ? (point.cost > 0 ? Math.log10(point.cost) : NaN) : point.cost);
  const xRange = extent(dominated.map(x).filter(Number.isFinite));
  const yRange = extent(dominated.map((point) => point.accuracy));
  const cells = new Map<number, FrontPoint>();
  for (const point of dominated) {
    const cell = cellIndex(x(point), xRange, DOMINATED_GRID.columns) * DOMINATED_GRID.rows + cellIndex(point.accuracy, yRange, DOMINATED_GRID.rows);
    const current = cells.get(cell);
    if (!current || represents(point, current)) cells.set(cell, point);
  }
  return { drawn: [...cells.values()], total: dominated.length, binned: true };
}
