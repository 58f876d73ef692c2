'use client';

import { memo, useCallback, useLayoutEffect, useMemo, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { CartesianGrid, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, XAxis, YAxis, useXAxisScale, useYAxisScale } from 'recharts';
import type { CostAxis, Front, FrontPoint, RetrainedPoint } from '../hooks/dashboard-types.ts';
import { DOMINATED_GRID, sampleDominated, type DominatedSample } from './dominated-sample.ts';
import { COST_AXIS_LABELS, formatAccuracy, formatCost, formatStrength } from './format.ts';
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
   * Asked at draw time, so a marker redrawn for any reason keeps its highlight. A function, not the
   * ref itself: recharts keeps data in a store that deep-freezes plain objects.
   */
  isActive: (key: string) => boolean;
}

function MarkerElement({ datum, cx, cy }: { datum: Datum; cx: number; cy: number }) {
  const { marker, chartPoint, onActivate } = datum;
  // The highlight (.active, globals.css) is a class, not geometry: moving it between markers must
  // not redraw the chart's hundreds of markers.
  return (
    <g
      className={datum.isActive(datum.key) ? 'front-marker active' : 'front-marker'}
      data-point-key={datum.key}
      aria-label={marker.label}
      onMouseEnter={() => onActivate(chartPoint)}
    >
      <PointSymbol shape={marker.shape} cx={cx} cy={cy} size={marker.radius} fill={marker.fill} stroke={marker.outline} strokeWidth={1.2} />
    </g>
  );
}

function renderMarker(shapeProps: { cx?: number; cy?: number; payload?: Datum }) {
  const { cx, cy, payload } = shapeProps;
  if (cx === undefined || cy === undefined || !payload || !Number.isFinite(cx) || !Number.isFinite(cy)) return <g />;
  return <MarkerElement datum={payload} cx={cx} cy={cy} />;
}

const renderNothing = () => <g />;

/** A step after each corner: the best accuracy reachable at or below each cost. */
function stepAfterPath(corners: Array<{ cx: number; cy: number }>): string {
  return corners
    .map(({ cx, cy }, index) => (index === 0 ? `M${cx},${cy}` : `L${cx},${corners[index - 1].cy}L${cx},${cy}`))
    .join('');
}

/**
 * The run markers and front lines, drawn straight from the axes' scales. Recharts' own Scatter spends
 * about a millisecond per point on bookkeeping this chart does not use (tooltips, animation, active
 * dots); with hundreds of run markers that was most of the page's time to interactive. The seed
 * network and retrained points (a handful) still go through Scatter.
 */
function RunLayer({ runs, frontLines }: { runs: Datum[]; frontLines: Array<{ key: string; color: string; points: FrontPoint[] }> }) {
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  if (!xScale || !yScale) return null;
  const at = (cost: number, accuracy: number) => {
    const cx = xScale(cost);
    const cy = yScale(accuracy);
    return typeof cx === 'number' && typeof cy === 'number' && Number.isFinite(cx) && Number.isFinite(cy) ? { cx, cy } : null;
  };
  return (
    <g className="run-layer">
      {frontLines.map(({ key, color, points }) => {
        const corners = points.map((point) => at(point.cost, point.accuracy)).filter((corner) => corner !== null);
        return (
          <g key={key} className="front-step-line">
            <path d={stepAfterPath(corners)} fill="none" stroke={color} strokeWidth={2} />
          </g>
        );
      })}
      {runs.map((datum) => {
        const position = at(datum.cost, datum.accuracy);
        return position ? <MarkerElement key={datum.key} datum={datum} cx={position.cx} cy={position.cy} /> : null;
      })}
    </g>
  );
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
  const accuracyFloor = Number.isFinite(lowestAccuracy) ? Math.max(0, Math.floor(lowestAccuracy * 20) / 20 - 0.05) : 0;
  // Close accuracies need a decimal, or neighbouring ticks would both read "100%".
  const accuracyDecimals = 1 - accuracyFloor < 0.2 ? 1 : 0;
  // Two invisible points span the run markers' costs, so recharts' automatic domain and ticks cover them.
  const costExtent = lowestCost <= highestCost ? [{ cost: lowestCost, accuracy: 1 }, { cost: highestCost, accuracy: 1 }] : [];

  const runs = series.flatMap(({ front, label, color }, index) => [
    // Dominated first, so front markers are never hidden under dominated ones.
    ...runData(samples[index].drawn, false, label, color),
    ...runData(front.pareto, true, label, color),
  ]);
  const frontLines = series.map(({ front, color }) => ({
    key: front.sweepId,
    color,
    points: [...front.pareto].sort((a, b) => a.cost - b.cost),
  }));

  return (
    <ResponsiveContainer width="100%" height={420}>
      <ScatterChart margin={{ top: 16, right: 48, bottom: 32, left: 16 }} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" stroke="#d1d5db" />
        <XAxis
          type="number"
          dataKey="cost"
          name={COST_AXIS_LABELS[costAxis]}
          scale={logCost ? 'log' : 'linear'}
          domain={['auto', 'auto']}
          tickFormatter={(value: number) => formatCost(value, costAxis)}
          label={{ value: COST_AXIS_LABELS[costAxis], position: 'insideBottom', offset: -20 }}
          padding={{ left: 16, right: 16 }}
          minTickGap={28}
        />
        <YAxis
          type="number"
          dataKey="accuracy"
          name="Accuracy"
          domain={[accuracyFloor, 1]}
          tickFormatter={(value: number) => `${(value * 100).toFixed(accuracyDecimals)}%`}
          label={{ value: 'Accuracy', angle: -90, position: 'insideLeft' }}
        />
        <Scatter name="cost extent" data={costExtent} shape={renderNothing} isAnimationActive={false} legendType="none" />
        <RunLayer runs={runs} frontLines={frontLines} />
        {series.map(({ front, label, color }) => (
          <Scatter
            key={`retrains-${front.sweepId}`}
            name={`${label} retrained`}
            data={front.retrained.map((point) =>
              datum({ kind: 'retrain', sweepLabel: label, point }, point.cost, point.accuracy, {
                shape: 'star',
                fill: '#f97316',
                outline: color,
                radius: 7,
              }),
            )}
            isAnimationActive={false}
            shape={renderMarker}
          />
        ))}
        {series.map(({ front, label, color }) => {
          const seedNetwork = front.seedNetwork;
          if (!seedNetwork) return null;
          if (seedNetwork.accuracy === null) {
            // Accuracy of the full-width seed was not measured: mark at least where its cost lies.
            return (
              <ReferenceLine
                key={`seed-${front.sweepId}`}
                x={seedNetwork.cost}
                stroke={color}
                strokeDasharray="6 4"
                ifOverflow="extendDomain"
                label={{ value: `${label}: seed network`, position: 'insideTopLeft', fill: '#374151', fontSize: 12 }}
              />
            );
          }
          const chartPoint: ChartPoint = { kind: 'seed', sweepLabel: label, cost: seedNetwork.cost, accuracy: seedNetwork.accuracy };
          return (
            <Scatter
              key={`seed-${front.sweepId}`}
              name={`${label} seed network`}
              data={[datum(chartPoint, seedNetwork.cost, seedNetwork.accuracy, { shape: 'ring', fill: 'none', outline: color, radius: 9 })]}
              isAnimationActive={false}
              shape={renderMarker}
            />
          );
        })}
      </ScatterChart>
    </ResponsiveContainer>
  );
});

/** The sweep's cost-vs-accuracy scatter: Pareto front as a step line, seed and retrains marked apart. */
export function GraphParetoFront(props: GraphParetoFrontProps) {
  const { series, costAxis, logCost, strengthColors, thresholds, activeKey, onActivate, onOpen } = props;
  const samples = useMemo(() => series.map(({ front }) => sampleDominated(front.dominated, logCost)), [series, logCost]);

  // Keyboard: the chart is one tab stop; arrows walk the drawn points by cost, Enter opens the active
  // one. (Focusable markers would be one tab stop per point and lose focus whenever recharts redraws.)
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
