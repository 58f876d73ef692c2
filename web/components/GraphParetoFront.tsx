'use client';

import { memo, useCallback, useLayoutEffect, useMemo, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { scaleLinear, scaleLog } from 'd3-scale';
import type { CostAxis, Front, FrontPoint, RetrainedPoint } from '../hooks/dashboard-types.ts';
import { DOMINATED_GRID, sampleDominated, type DominatedSample } from './dominated-sample.ts';
import { COST_AXIS_LABELS, formatAccuracy, formatCost, formatStrength } from './format.ts';
import { EvidenceArmMarks, type EvidenceArmPoint } from './EvidenceArmMarks.tsx';
import { PointSymbol, THRESHOLD_SHAPES, type MarkerShape } from './PointSymbol.tsx';
import type { StrengthColorScale } from './strength-colors.ts';

/** What the chart reports upward when a marker is hovered, focused or opened. */
export type ChartPoint =
  | { kind: 'run'; sweepLabel: string; onFront: boolean; point: FrontPoint }
  | { kind: 'retrain'; sweepLabel: string; point: RetrainedPoint }
  | { kind: 'seed'; sweepLabel: string; cost: number; accuracy: number };

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
  onActivate: (point: ChartPoint | null) => void;
  onOpen: (point: ChartPoint) => void;
  /** Evidence arms (test accuracy mean ± sd at each arm's cost), drawn as diamonds with error bars. */
  evidenceArms?: readonly EvidenceArmPoint[];
}

/** One marker's data; its look and handlers travel with it so one module-level renderer draws all. */
interface Datum {
  cost: number;
  accuracy: number;
  key: string;
  chartPoint: ChartPoint;
  marker: { shape: MarkerShape; fill: string; outline: string; radius: number; label: string };
  onActivate: (point: ChartPoint) => void;
  /**
   * Asked at draw time, so a marker redrawn for any reason keeps its highlight.
   */
  isActive: (key: string) => boolean;
}

function MarkerElement({ datum, cx, cy }: { datum: Datum; cx: number; cy: number }) {
  const { marker, chartPoint, onActivate } = datum;
  // The highlight (.active, globals.css) is a class, not geometry: moving it between markers must
  // not redraw the chart's hundreds of markers. The shape is the marker itself, without a wrapping
  // group: one element per point less to create, lay out and paint on the page's first render.
  return (
    <PointSymbol
      shape={marker.shape}
      cx={cx}
      cy={cy}
      size={marker.radius}
      fill={marker.fill}
      stroke={marker.outline}
      strokeWidth={1.2}
      className={datum.isActive(datum.key) ? 'front-marker active' : 'front-marker'}
      data-point-key={datum.key}
      aria-label={marker.label}
      onMouseEnter={() => onActivate(chartPoint)}
    />
  );
}

/** A step after each corner: the best accuracy reachable at or below each cost. */
function stepAfterPath(corners: Array<{ cx: number; cy: number }>): string {
  return corners
    .map(({ cx, cy }, index) => (index === 0 ? `M${cx},${cy}` : `L${cx},${corners[index - 1].cy}L${cx},${cy}`))
    .join('');
}

function costOf(point: ChartPoint): number {
  return point.kind === 'seed' ? point.cost : point.point.cost;
}

function accuracyOf(point: ChartPoint): number {
  return point.kind === 'seed' ? point.accuracy : point.point.accuracy;
}

export function chartPointKey(point: ChartPoint): string {
  if (point.kind === 'run') return `run:${point.point.runId}`;
  if (point.kind === 'retrain') return `retrain:${point.point.retrainId}`;
  return `seed:${point.sweepLabel}`;
}

function describe(point: ChartPoint, axis: CostAxis): string {
  const where = `cost ${formatCost(costOf(point), axis)}, accuracy ${formatAccuracy(accuracyOf(point))}`;
  if (point.kind === 'seed') return `Seed network of ${point.sweepLabel}: ${where}`;
  if (point.kind === 'retrain') return `Retrained structure of run ${point.point.runId}: ${where}`;
  return `Run strength ${formatStrength(point.point.strength)}, threshold ${point.point.threshold}${
    point.onFront ? ' (on the Pareto front)' : ''
  }: ${where}`;
}

interface FrontScatterProps {
  series: FrontSeries[];
  samples: DominatedSample[];
  costAxis: CostAxis;
  logCost: boolean;
  strengthColors: StrengthColorScale;
  thresholds: number[];
  onActivate: (point: ChartPoint) => void;
  isActive: (key: string) => boolean;
  evidenceArms?: readonly EvidenceArmPoint[];
}

/** The SVG itself; memoized on everything but the active point, so a hover does not redraw it. */
const FrontScatter = memo(function FrontScatter(props: FrontScatterProps) {
  const { series, samples, costAxis, logCost, strengthColors, thresholds, onActivate, isActive } = props;
  const thresholdIndex = new Map(thresholds.map((threshold, index) => [threshold, index]));
  const thresholdShape = (threshold: number): MarkerShape => THRESHOLD_SHAPES[(thresholdIndex.get(threshold) ?? 0) % THRESHOLD_SHAPES.length];

  const datum = (chartPoint: ChartPoint, cost: number, accuracy: number, look: Omit<Datum['marker'], 'label'>): Datum => ({
    cost,
    accuracy,
    key: chartPointKey(chartPoint),
    chartPoint,
    marker: { ...look, label: describe(chartPoint, costAxis) },
    onActivate,
    isActive,
  });

  const runData = (points: FrontPoint[], onFront: boolean, sweepLabel: string, color: string): Datum[] =>
    points.map((point) =>
      datum({ kind: 'run', sweepLabel, onFront, point }, point.cost, point.accuracy, {
        shape: thresholdShape(point.threshold),
        fill: strengthColors.colorOf(point.strength),
        outline: color,
        radius: 6,
      }),
    );

  // The axis ranges cover every point, drawn or not, so binning never moves the axes.
  let lowestAccuracy = Infinity;
  let lowestCost = Infinity;
  let highestCost = -Infinity;
  const include = (cost: number, accuracy: number | null) => {
    if (accuracy !== null && accuracy < lowestAccuracy) lowestAccuracy = accuracy;
    if (!Number.isFinite(cost) || (logCost && cost <= 0)) return;
    if (cost < lowestCost) lowestCost = cost;
    if (cost > highestCost) highestCost = cost;
  };
  for (const { front } of series) {
    for (const list of [front.pareto, front.dominated, front.retrained]) for (const point of list) include(point.cost, point.accuracy);
    if (front.seedNetwork) include(front.seedNetwork.cost, front.seedNetwork.accuracy);
  }
  for (const arm of props.evidenceArms ?? []) include(arm.cost, arm.mean - arm.sd);
  const accuracyFloor = Number.isFinite(lowestAccuracy) ? Math.max(0, Math.floor(lowestAccuracy * 20) / 20 - 0.05) : 0;
  // Close accuracies need a decimal, or neighbouring ticks would both read "100%".
  const accuracyDecimals = 1 - accuracyFloor < 0.2 ? 1 : 0;
  const { x, y, xTicks, yTicks } = plotScales({ lowestCost, highestCost, logCost, accuracyFloor });
  const at = (cost: number, accuracy: number) => {
    const cx = x(cost);
    const cy = y(accuracy);
    return Number.isFinite(cx) && Number.isFinite(cy) && (!logCost || cost > 0) ? { cx, cy } : null;
  };

  const runs = series.flatMap(({ front, label, color }, index) => [
    // Dominated first, so front markers are never hidden under dominated ones.
    ...runData(samples[index].drawn, false, label, color),
    ...runData(front.pareto, true, label, color),
  ]);
  const retrains = series.flatMap(({ front, label, color }) =>
    front.retrained.map((point) =>
      datum({ kind: 'retrain', sweepLabel: label, point }, point.cost, point.accuracy, { shape: 'star', fill: '#f97316', outline: color, radius: 7 }),
    ),
  );
  const seeds = series.flatMap(({ front, label, color }) => {
    const seedNetwork = front.seedNetwork;
    if (!seedNetwork || seedNetwork.accuracy === null) return [];
    const chartPoint: ChartPoint = { kind: 'seed', sweepLabel: label, cost: seedNetwork.cost, accuracy: seedNetwork.accuracy };
    return [datum(chartPoint, seedNetwork.cost, seedNetwork.accuracy, { shape: 'ring', fill: 'none', outline: color, radius: 9 })];
  });
  const marker = (item: Datum) => {
    const position = at(item.cost, item.accuracy);
    return position ? <MarkerElement key={item.key} datum={item} cx={position.cx} cy={position.cy} /> : null;
  };

  return (
    <svg className="pareto-svg" viewBox={`0 0 ${PLOT.width} ${PLOT.height}`} width="100%" role="img" aria-label="Cost versus accuracy">
      <g className="grid" stroke="#d1d5db" strokeDasharray="3 3">
        {xTicks.map((tick) => (
          <line key={`x${tick}`} x1={x(tick)} x2={x(tick)} y1={PLOT.top} y2={PLOT.height - PLOT.bottom} />
        ))}
        {yTicks.map((tick) => (
          <line key={`y${tick}`} x1={PLOT.left} x2={PLOT.width - PLOT.right} y1={y(tick)} y2={y(tick)} />
        ))}
      </g>
      <g className="axis" fontSize={12} fill="#4b5563">
        <line x1={PLOT.left} x2={PLOT.width - PLOT.right} y1={PLOT.height - PLOT.bottom} y2={PLOT.height - PLOT.bottom} stroke="#6b7280" />
        <line x1={PLOT.left} x2={PLOT.left} y1={PLOT.top} y2={PLOT.height - PLOT.bottom} stroke="#6b7280" />
        {xTicks.map((tick) => (
          <text key={`x${tick}`} x={x(tick)} y={PLOT.height - PLOT.bottom + 16} textAnchor="middle">
            {formatCost(tick, costAxis)}
          </text>
        ))}
        {yTicks.map((tick) => (
          <text key={`y${tick}`} x={PLOT.left - 6} y={y(tick) + 4} textAnchor="end">
            {`${(tick * 100).toFixed(accuracyDecimals)}%`}
          </text>
        ))}
        <text x={(PLOT.left + PLOT.width - PLOT.right) / 2} y={PLOT.height - 8} textAnchor="middle">
          {COST_AXIS_LABELS[costAxis]}
        </text>
        <text transform={`translate(16 ${(PLOT.top + PLOT.height - PLOT.bottom) / 2}) rotate(-90)`} textAnchor="middle">
          Accuracy
        </text>
      </g>
      {series.map(({ front, label, color }) => {
        const seedNetwork = front.seedNetwork;
        // Accuracy of the full-width seed was not measured: mark at least where its cost lies.
        if (!seedNetwork || seedNetwork.accuracy !== null || !Number.isFinite(x(seedNetwork.cost))) return null;
        return (
          <g key={`seed-${front.sweepId}`} className="seed-reference-line">
            <line x1={x(seedNetwork.cost)} x2={x(seedNetwork.cost)} y1={PLOT.top} y2={PLOT.height - PLOT.bottom} stroke={color} strokeDasharray="6 4" />
            <text x={x(seedNetwork.cost) + 4} y={PLOT.top + 12} fill="#374151" fontSize={12}>{`${label}: seed network`}</text>
          </g>
        );
      })}
      <g className="run-layer">
        {series.map(({ front, color }) => {
          const corners = [...front.pareto]
            .sort((a, b) => a.cost - b.cost)
            .map((point) => at(point.cost, point.accuracy))
            .filter((corner) => corner !== null);
          return (
            <g key={front.sweepId} className="front-step-line">
              <path d={stepAfterPath(corners)} fill="none" stroke={color} strokeWidth={2} />
            </g>
          );
        })}
        {runs.map(marker)}
      </g>
      {retrains.map(marker)}
      {seeds.map(marker)}
      {props.evidenceArms && <EvidenceArmMarks arms={props.evidenceArms} at={at} />}
    </svg>
  );
});

/** The SVG's own coordinate system; the chart scales with its panel through the viewBox. */
const PLOT = { width: 760, height: 420, top: 16, right: 32, bottom: 48, left: 64 };
/** Keeps markers off the axes at both ends of the cost range. */
const COST_PADDING_PX = 16;

/** Cost (linear or log) and accuracy scales over the plot area, with their ticks. */
function plotScales({ lowestCost, highestCost, logCost, accuracyFloor }: { lowestCost: number; highestCost: number; logCost: boolean; accuracyFloor: number }) {
  const hasCosts = lowestCost <= highestCost;
  // One distinct cost still needs a range around it.
  const [low, high] = !hasCosts ? [1, 10] : lowestCost < highestCost ? [lowestCost, highestCost] : logCost ? [lowestCost / 2, highestCost * 2] : [lowestCost - 1, highestCost + 1];
  const range = [PLOT.left + COST_PADDING_PX, PLOT.width - PLOT.right - COST_PADDING_PX];
  const x = logCost ? scaleLog().domain([low, high]).nice().range(range) : scaleLinear().domain([low, high]).nice().range(range);
  let xTicks = x.ticks(6);
  // A log scale ticks every digit of every decade: beyond a few labels, keep the powers of ten.
  if (logCost && xTicks.length > 8) xTicks = xTicks.filter((tick) => Number.isInteger(Math.round(Math.log10(tick) * 1e6) / 1e6));
  const y = scaleLinear().domain([accuracyFloor, 1]).range([PLOT.height - PLOT.bottom, PLOT.top]);
  return { x, y, xTicks, yTicks: y.ticks(6) };
}

/** The sweep's cost-vs-accuracy scatter: Pareto front as a step line, seed and retrains marked apart. */
export function GraphParetoFront(props: GraphParetoFrontProps) {
  const { series, costAxis, logCost, strengthColors, thresholds, activeKey, onActivate, onOpen } = props;
  const samples = useMemo(() => series.map(({ front }) => sampleDominated(front.dominated, logCost)), [series, logCost]);

  // Keyboard: the chart is one tab stop; arrows walk the drawn points by cost, Enter opens the active
  // one. (Focusable markers would be one tab stop per point and lose focus whenever the chart redraws.)
  const pointsByCost = useMemo(
    () =>
      series
        .flatMap(({ front, label }, index) => [
          ...front.pareto.map((point): ChartPoint => ({ kind: 'run', sweepLabel: label, onFront: true, point })),
          ...samples[index].drawn.map((point): ChartPoint => ({ kind: 'run', sweepLabel: label, onFront: false, point })),
          ...front.retrained.map((point): ChartPoint => ({ kind: 'retrain', sweepLabel: label, point })),
          ...(front.seedNetwork && front.seedNetwork.accuracy !== null
            ? [{ kind: 'seed', sweepLabel: label, cost: front.seedNetwork.cost, accuracy: front.seedNetwork.accuracy } as ChartPoint]
            : []),
        ])
        .sort((a, b) => costOf(a) - costOf(b) || accuracyOf(a) - accuracyOf(b)),
    [series, samples],
  );
  const activeIndex = useMemo(() => pointsByCost.findIndex((point) => chartPointKey(point) === activeKey), [pointsByCost, activeKey]);

  const frameRef = useRef<HTMLDivElement>(null);
  const activeKeyRef = useRef<string | null>(activeKey);
  activeKeyRef.current = activeKey;
  const isActive = useCallback((key: string) => activeKeyRef.current === key, []);
  useLayoutEffect(() => {
    const frame = frameRef.current;
    if (!frame) return;
    for (const marker of frame.querySelectorAll('.front-marker.active')) marker.classList.remove('active');
    if (activeKey !== null) frame.querySelector(`[data-point-key="${CSS.escape(activeKey)}"]`)?.classList.add('active');
  }, [activeKey]);

  // A press on a marker opens it, resolved at the chart rather than on the marker: a marker redrawn
  // between mouse-down and mouse-up never receives a click. The key pressed is remembered at
  // pointer-down and opened at pointer-up.
  const pressedKey = useRef<string | null>(null);
  const pointKeyAt = (target: EventTarget) => (target as Element).closest?.('[data-point-key]')?.getAttribute('data-point-key') ?? null;
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    pressedKey.current = event.button === 0 ? pointKeyAt(event.target) : null;
  };
  const onPointerUp = () => {
    const key = pressedKey.current;
    pressedKey.current = null;
    const point = key === null ? undefined : pointsByCost.find((candidate) => chartPointKey(candidate) === key);
    if (point) onOpen(point);
  };
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
      onActivate(pointsByCost[moves[event.key]]);
    } else if ((event.key === 'Enter' || event.key === ' ') && activeIndex >= 0) {
      event.preventDefault();
      onOpen(pointsByCost[activeIndex]);
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
        onPointerDown={onPointerDown}
        onPointerUp={onPointerUp}
        onFocus={() => {
          if (activeIndex < 0 && pointsByCost.length > 0) onActivate(pointsByCost[0]);
        }}
      >
        <FrontScatter
          series={series}
          samples={samples}
          costAxis={costAxis}
          logCost={logCost}
          strengthColors={strengthColors}
          thresholds={thresholds}
          onActivate={onActivate}
          isActive={isActive}
          evidenceArms={props.evidenceArms}
        />
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
