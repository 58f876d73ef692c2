'use client';

import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { CostAxis, Front } from '../hooks/dashboard-types.ts';
import { accuracyScale, costScale, type PlotBox } from './chart-axes.ts';
import { candidatesOf, frontKeys, type Candidate } from './decision-points.ts';
import { DOMINATED_GRID, sampleDominated, type DominatedSample } from './dominated-sample.ts';
import { COST_AXIS_LABELS, formatAccuracy, formatCost, formatCostTick, runLabel } from './format.ts';
import { EvidenceArmMarks, type EvidenceArmPoint } from './EvidenceArmMarks.tsx';
import { PointSymbol, THRESHOLD_SHAPES, type MarkerShape } from './PointSymbol.tsx';
import type { StrengthColorScale } from './strength-colors.ts';

/** What the chart reports upward when a marker is hovered, focused or opened. */
export type ChartPoint = Candidate & { onFront: boolean };

export interface FrontSeries {
  front: Front;
  label: string;
  /** Colour of this sweep's front line and marker outlines (tells overlaid sweeps apart). */
  color: string;
}

interface GraphParetoFrontProps {
  series: FrontSeries[];
  costAxis: CostAxis;
  logCost: boolean;
  strengthColors: StrengthColorScale;
  thresholds: number[];
  activeKey: string | null;
  /** A recommended pick to ring (the budget panel's answer). */
  highlightKey?: string | null;
  onActivate: (point: ChartPoint | null) => void;
  onOpen: (point: ChartPoint) => void;
  /** Evidence arms (test accuracy mean ± sd at each arm's cost), drawn as diamonds with error bars. */
  evidenceArms?: readonly EvidenceArmPoint[];
}

export function chartPointKey(point: ChartPoint): string {
  return point.key;
}

function describe(point: ChartPoint, axis: CostAxis): string {
  const where = `cost ${formatCost(point.cost, axis)}, accuracy ${formatAccuracy(point.accuracy)}${point.onFront ? ' (on the Pareto front)' : ''}`;
  if (point.kind === 'seed') return `Seed network of ${point.sweepLabel}, unpruned: ${where}`;
  if (point.kind === 'retrain') return `Retrained structure of run ${point.point.runId}: ${where}`;
  return `Run ${runLabel(point.point)}: ${where}`;
}

/** One drawn marker: where it sits and how it looks. */
interface Placed {
  point: ChartPoint;
  cx: number;
  cy: number;
  shape: MarkerShape;
  fill: string;
  outline: string;
  radius: number;
}

interface ChartLayout {
  box: PlotBox;
  placed: Placed[];
  /** Every point the chart knows, drawn or not (keyboard order: by cost). */
  pointsByCost: ChartPoint[];
  xTicks: Array<{ value: number; x: number; label: string }>;
  yTicks: Array<{ value: number; y: number; label: string }>;
  frontLines: Array<{ sweepId: string; color: string; path: string }>;
  seedLines: Array<{ sweepId: string; color: string; y: number | null; x: number | null }>;
  evidenceArms: readonly EvidenceArmPoint[];
  /** Where a cost and accuracy lie on the plot; null off a log axis. */
  at: (cost: number, accuracy: number) => { cx: number; cy: number } | null;
}

const NO_EVIDENCE_ARMS: readonly EvidenceArmPoint[] = [];
const CHART_HEIGHT = { wide: 420, narrow: 320 };
/** Keeps markers off the axes at both ends of the cost range. */
const COST_PADDING_PX = 14;
/** A pointer this close to a marker's centre activates it (the nearest one wins). */
const HOVER_RADIUS_PX = 16;

/** A step after each corner: the best accuracy reachable at or below each cost. */
function stepAfterPath(corners: Array<{ cx: number; cy: number }>): string {
  return corners.map(({ cx, cy }, index) => (index === 0 ? `M${cx},${cy}` : `L${cx},${corners[index - 1]!.cy}L${cx},${cy}`)).join('');
}

function layoutChart(props: {
  series: FrontSeries[];
  samples: DominatedSample[];
  costAxis: CostAxis;
  logCost: boolean;
  width: number;
  strengthColors: StrengthColorScale;
  thresholds: number[];
  evidenceArms: readonly EvidenceArmPoint[];
}): ChartLayout | null {
  const { series, samples, costAxis, logCost, width, strengthColors, thresholds, evidenceArms } = props;
  const narrow = width < 560;
  const box: PlotBox = { width, height: narrow ? CHART_HEIGHT.narrow : CHART_HEIGHT.wide, top: 14, right: narrow ? 12 : 24, bottom: 48, left: narrow ? 52 : 60 };
  const thresholdIndex = new Map(thresholds.map((threshold, index) => [threshold, index]));
  const shapeOf = (threshold: number): MarkerShape => THRESHOLD_SHAPES[(thresholdIndex.get(threshold) ?? 0) % THRESHOLD_SHAPES.length]!;

  const perSeries = series.map(({ front, label, color }, index) => {
    const candidates = candidatesOf(front, label);
    const onFront = new Set(frontKeys(candidates));
    const points: ChartPoint[] = candidates.map((candidate) => ({ ...candidate, onFront: onFront.has(candidate.key) }));
    // Every run the sampling did not thin out is drawn: the runs' own front (also those a retrain
    // or the seed now beats) and the sampled dominated ones.
    const drawnRuns = new Set([...front.pareto, ...samples[index]!.drawn].map((point) => `run:${point.runId}`));
    return { front, color, points, drawn: points.filter((point) => point.kind !== 'run' || drawnRuns.has(point.key)) };
  });
  const all = perSeries.flatMap(({ points }) => points);
  // The cost axis also covers a seed whose accuracy is not measured yet (drawn as a cost line).
  const seedCosts = series.flatMap(({ front }) => (front.seedNetwork ? [front.seedNetwork.cost] : []));
  const costs = [...all.map((point) => point.cost), ...seedCosts, ...evidenceArms.map((arm) => arm.cost)].filter((cost) => Number.isFinite(cost) && (!logCost || cost > 0));
  if (costs.length === 0) return null;

  const { x, ticks: xTicks } = costScale(costs, { log: logCost, box, padPx: COST_PADDING_PX, label: (cost) => formatCostTick(cost, costAxis) });
  // The accuracy axis covers each evidence arm's ±1 sd bar too.
  const armAccuracies = evidenceArms.flatMap((arm) => [arm.mean - arm.sd, Math.min(1, arm.mean + arm.sd)]);
  const { y, ticks: yTicks } = accuracyScale([...all.map((point) => point.accuracy), ...armAccuracies], box);
  const placeable = (point: ChartPoint) => Number.isFinite(point.cost) && (!logCost || point.cost > 0);

  const placed: Placed[] = [];
  for (const { color, drawn } of perSeries) {
    // Dominated first, front next, retrains and the seed on top: drawing order only; hover picks
    // the nearest marker whatever lies above it.
    const order = (point: ChartPoint) => (point.kind === 'seed' ? 3 : point.kind === 'retrain' ? 2 : point.onFront ? 1 : 0);
    for (const point of [...drawn].sort((a, b) => order(a) - order(b))) {
      if (!placeable(point)) continue;
      const at = { point, cx: x(point.cost), cy: y(point.accuracy) };
      if (point.kind === 'run') placed.push({ ...at, shape: shapeOf(point.point.threshold), fill: strengthColors.colorOf(point.point.strength), outline: color, radius: 6 });
      else if (point.kind === 'retrain') placed.push({ ...at, shape: 'star', fill: '#f97316', outline: color, radius: 6.5 });
      else placed.push({ ...at, shape: 'ring', fill: 'none', outline: color, radius: 9 });
    }
  }

  return {
    box,
    placed,
    pointsByCost: perSeries
      .flatMap(({ drawn }) => drawn)
      .filter(placeable)
      .sort((a, b) => a.cost - b.cost || a.accuracy - b.accuracy),
    xTicks: xTicks.map((tick) => ({ ...tick, x: x(tick.value) })),
    yTicks: yTicks.map((tick) => ({ ...tick, y: y(tick.value) })),
    frontLines: perSeries.map(({ front, color, points }) => ({
      sweepId: front.sweepId,
      color,
      path: stepAfterPath(
        points
          .filter((point) => point.onFront && placeable(point))
          .sort((a, b) => a.cost - b.cost)
          .map((point) => ({ cx: x(point.cost), cy: y(point.accuracy) })),
      ),
    })),
    evidenceArms,
    at: (cost, accuracy) => (Number.isFinite(cost) && (!logCost || cost > 0) ? { cx: x(cost), cy: y(accuracy) } : null),
    seedLines: series.flatMap(({ front, color }): ChartLayout['seedLines'] => {
      const seed = front.seedNetwork;
      if (!seed) return [];
      // Measured: the reference accuracy every point is read against. Not yet: where its cost lies.
      if (seed.accuracy !== null) return [{ sweepId: front.sweepId, color, y: y(seed.accuracy), x: null }];
      return Number.isFinite(x(seed.cost)) ? [{ sweepId: front.sweepId, color, y: null, x: x(seed.cost) }] : [];
    }),
  };
}

/** The SVG itself; memoized on everything but the active point, so a hover does not redraw it. */
const FrontScatter = memo(function FrontScatter({ layout, costAxis }: { layout: ChartLayout; costAxis: CostAxis }) {
  const { box, placed, xTicks, yTicks, frontLines, seedLines, evidenceArms, at } = layout;
  const plotRight = box.width - box.right;
  const plotBottom = box.height - box.bottom;
  return (
    <svg className="pareto-svg" viewBox={`0 0 ${box.width} ${box.height}`} width={box.width} height={box.height} role="img" aria-label="Cost versus accuracy">
      <g className="grid" stroke="#e5e7eb">
        {xTicks.map((tick) => (
          <line key={`x${tick.value}`} x1={tick.x} x2={tick.x} y1={box.top} y2={plotBottom} />
        ))}
        {yTicks.map((tick) => (
          <line key={`y${tick.value}`} x1={box.left} x2={plotRight} y1={tick.y} y2={tick.y} />
        ))}
      </g>
      <g className="axis" fontSize={12} fill="#4b5563">
        <line x1={box.left} x2={plotRight} y1={plotBottom} y2={plotBottom} stroke="#6b7280" />
        <line x1={box.left} x2={box.left} y1={box.top} y2={plotBottom} stroke="#6b7280" />
        {xTicks.map((tick) => (
          <text key={`x${tick.value}`} className="x-tick" x={tick.x} y={plotBottom + 16} textAnchor="middle">
            {tick.label}
          </text>
        ))}
        {yTicks.map((tick) => (
          <text key={`y${tick.value}`} className="y-tick" x={box.left - 6} y={tick.y + 4} textAnchor="end">
            {tick.label}
          </text>
        ))}
        <text x={(box.left + plotRight) / 2} y={box.height - 8} textAnchor="middle">
          {COST_AXIS_LABELS[costAxis]}
        </text>
        <text transform={`translate(14 ${(box.top + plotBottom) / 2}) rotate(-90)`} textAnchor="middle">
          Validation accuracy
        </text>
      </g>
      {seedLines.map((line) => (
        <line
          key={`seed-${line.sweepId}`}
          className="seed-reference-line"
          data-sweep-id={line.sweepId}
          x1={line.x ?? box.left}
          x2={line.x ?? plotRight}
          y1={line.y ?? box.top}
          y2={line.y ?? plotBottom}
          stroke={line.color}
          strokeDasharray="6 4"
          strokeWidth={1.5}
        />
      ))}
      {frontLines.map((line) => (
        <g key={line.sweepId} className="front-step-line">
          <path d={line.path} fill="none" stroke={line.color} strokeWidth={2} />
        </g>
      ))}
      {placed.map(({ point, cx, cy, shape, fill, outline, radius }) => (
        <PointSymbol
          key={point.key}
          shape={shape}
          cx={cx}
          cy={cy}
          size={radius}
          fill={fill}
          stroke={outline}
          strokeWidth={1.2}
          className="front-marker"
          data-point-key={point.key}
          data-kind={point.kind}
          data-on-front={point.onFront ? 'true' : 'false'}
          aria-label={describe(point, costAxis)}
        />
      ))}
      {evidenceArms.length > 0 && <EvidenceArmMarks arms={evidenceArms} at={at} />}
    </svg>
  );
});

/**
 * The chart's width follows its panel, so labels keep their size on a phone and ticks are laid out
 * for it. Null until measured (before the first paint): drawing at a guessed width first would move
 * every marker once the real width is known.
 */
function usePanelWidth(): [React.RefObject<HTMLDivElement | null>, number | null] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(Math.max(280, Math.floor(element.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** The sweep's cost-vs-accuracy scatter: the front over runs, retrains and the seed as a step line, the seed's accuracy as the reference line. */
export function GraphParetoFront(props: GraphParetoFrontProps) {
  const { series, costAxis, logCost, strengthColors, thresholds, activeKey, highlightKey, onActivate, onOpen } = props;
  const evidenceArms = props.evidenceArms ?? NO_EVIDENCE_ARMS;
  const samples = useMemo(() => series.map(({ front }) => sampleDominated(front.dominated, logCost)), [series, logCost]);
  const [frameRef, width] = usePanelWidth();
  const layout = useMemo(
    () => (width === null ? null : layoutChart({ series, samples, costAxis, logCost, width, strengthColors, thresholds, evidenceArms })),
    [series, samples, costAxis, logCost, width, strengthColors, thresholds, evidenceArms],
  );
  const pointsByCost = layout?.pointsByCost ?? [];
  const activeIndex = useMemo(() => pointsByCost.findIndex((point) => point.key === activeKey), [pointsByCost, activeKey]);

  // The highlight (.active, .recommended in globals.css) is a class, not geometry: moving it between
  // markers must not redraw the chart's hundreds of markers.
  useLayoutEffect(() => {
    const frame = frameRef.current;
    if (!frame) return;
    for (const [className, key] of [['active', activeKey], ['recommended', highlightKey ?? null]] as const) {
      for (const marker of frame.querySelectorAll(`.front-marker.${className}`)) marker.classList.remove(className);
      if (key !== null) frame.querySelector(`[data-point-key="${CSS.escape(key)}"]`)?.classList.add(className);
    }
  }, [activeKey, highlightKey, layout]);

  /** The marker nearest the pointer, within reach: markers that overlap stay reachable from their uncovered side. */
  const nearestTo = (event: PointerEvent<HTMLDivElement>): ChartPoint | null => {
    const svg = frameRef.current?.querySelector('svg');
    if (!layout || !svg) return null;
    const rect = svg.getBoundingClientRect();
    const px = ((event.clientX - rect.left) * layout.box.width) / rect.width;
    const py = ((event.clientY - rect.top) * layout.box.height) / rect.height;
    let best: Placed | null = null;
    let bestDistance = HOVER_RADIUS_PX ** 2;
    for (const marker of layout.placed) {
      // A run under the seed's ring wins a tie: the seed opens nothing.
      const distance = (marker.cx - px) ** 2 + (marker.cy - py) ** 2 + (marker.point.kind === 'seed' ? 1 : 0);
      if (distance <= bestDistance) {
        best = marker;
        bestDistance = distance;
      }
    }
    return best?.point ?? null;
  };
  const lastHovered = useRef<string | null>(null);
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const point = nearestTo(event);
    if (point && point.key !== lastHovered.current) {
      lastHovered.current = point.key;
      onActivate(point);
    }
  };
  // A press opens the marker it started on, resolved at the chart: a marker redrawn between
  // mouse-down and mouse-up never receives a click.
  const pressed = useRef<ChartPoint | null>(null);
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    pressed.current = event.button === 0 ? nearestTo(event) : null;
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    const point = pressed.current;
    pressed.current = null;
    if (point && nearestTo(event)?.key === point.key) onOpen(point);
  };
  useEffect(() => {
    lastHovered.current = activeKey;
  }, [activeKey]);

  // Keyboard: the chart is one tab stop; arrows walk the drawn points by cost, Enter opens the active one.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (pointsByCost.length === 0) return;
    const last = pointsByCost.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: Math.min(last, activeIndex + 1),
      ArrowDown: Math.min(last, activeIndex + 1),
      ArrowLeft: Math.max(0, activeIndex - 1),
      ArrowUp: Math.max(0, activeIndex - 1),
      Home: 0,
      End: last,
    };
    if (event.key in moves) {
      event.preventDefault();
      onActivate(pointsByCost[moves[event.key]!]!);
    } else if ((event.key === 'Enter' || event.key === ' ') && activeIndex >= 0) {
      event.preventDefault();
      onOpen(pointsByCost[activeIndex]!);
    } else if (event.key === 'Escape') {
      onActivate(null);
    }
  };

  const binned = samples.filter((sample) => sample.binned);
  return (
    <>
      <div
        ref={frameRef}
        className="chart-frame"
        data-testid="pareto-chart"
        tabIndex={0}
        role="group"
        aria-label={`Pareto chart, ${pointsByCost.length} points drawn: arrow keys move between points by cost, Enter opens the run`}
        onKeyDown={onKeyDown}
        onPointerMove={onPointerMove}
        onPointerDown={onPointerDown}
        onPointerUp={onPointerUp}
        onFocus={() => {
          if (activeIndex < 0 && pointsByCost.length > 0) onActivate(pointsByCost[0]!);
        }}
      >
        {width === null ? (
          <div style={{ height: CHART_HEIGHT.wide }} aria-hidden="true" />
        ) : layout ? (
          <FrontScatter layout={layout} costAxis={costAxis} />
        ) : (
          <p className="muted chart-empty" data-testid="chart-empty">
            No finished run to draw yet: the chart appears with the first run that completes.
          </p>
        )}
      </div>
      {binned.length > 0 && (
        <p className="chart-note muted" data-testid="chart-sampling-note">
          Drawing {binned.reduce((sum, sample) => sum + sample.drawn.length, 0).toLocaleString('en')} of{' '}
          {binned.reduce((sum, sample) => sum + sample.total, 0).toLocaleString('en')} dominated points: the most accurate one
          in each cell of a {DOMINATED_GRID.columns} × {DOMINATED_GRID.rows} grid over the cloud. The front, the seed network
          and retrained points are all drawn; the table lists every point.
        </p>
      )}
    </>
  );
}
