'use client';

import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { CartesianGrid, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, XAxis, YAxis } from 'recharts';
import type { CostAxis, Front, FrontPoint, RetrainedPoint } from '../hooks/dashboard-types.ts';
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
  marker: { shape: MarkerShape; fill: string; outline: string; radius: number; active: boolean; label: string };
  onActivate: (point: ChartPoint) => void;
}

function renderMarker(shapeProps: { cx?: number; cy?: number; payload?: Datum }) {
  const { cx, cy, payload } = shapeProps;
  if (cx === undefined || cy === undefined || !payload || !Number.isFinite(cx) || !Number.isFinite(cy)) return <g />;
  const { marker, chartPoint, onActivate } = payload;
  return (
    <g
      className={marker.active ? 'front-marker active' : 'front-marker'}
      data-point-key={payload.key}
      aria-label={marker.label}
      onMouseEnter={() => onActivate(chartPoint)}
    >
      <PointSymbol
        shape={marker.shape}
        cx={cx}
        cy={cy}
        size={marker.active ? marker.radius * 1.5 : marker.radius}
        fill={marker.fill}
        stroke={marker.active ? '#111827' : marker.outline}
        strokeWidth={marker.active ? 2.5 : 1.2}
      />
    </g>
  );
}

const renderNothing = () => <g />;

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

/** The sweep's cost-vs-accuracy scatter: Pareto front as a step line, seed and retrains marked apart. */
export function GraphParetoFront(props: GraphParetoFrontProps) {
  const { series, costAxis, logCost, strengthColors, thresholds, activeKey, onActivate, onOpen } = props;
  const thresholdShape = (threshold: number): MarkerShape =>
    THRESHOLD_SHAPES[Math.max(0, thresholds.indexOf(threshold)) % THRESHOLD_SHAPES.length];

  const datum = (chartPoint: ChartPoint, cost: number, accuracy: number, look: Omit<Datum['marker'], 'active' | 'label'>): Datum => {
    const key = chartPointKey(chartPoint);
    return {
      cost,
      accuracy,
      key,
      chartPoint,
      marker: { ...look, active: key === activeKey, label: describe(chartPoint, costAxis) },
      onActivate,
    };
  };

  const runData = (front: Front, sweepLabel: string, color: string, threshold: number): Datum[] =>
    [
      ...front.pareto.map((point) => ({ point, onFront: true })),
      ...front.dominated.map((point) => ({ point, onFront: false })),
    ]
      .filter(({ point }) => point.threshold === threshold)
      .map(({ point, onFront }) =>
        datum({ kind: 'run', sweepLabel, onFront, point }, point.cost, point.accuracy, {
          shape: thresholdShape(threshold),
          fill: strengthColors.colorOf(point.strength),
          outline: color,
          radius: 6,
        }),
      );

  const accuracies = series.flatMap(({ front }) => [
    ...front.pareto.map((p) => p.accuracy),
    ...front.dominated.map((p) => p.accuracy),
    ...front.retrained.map((p) => p.accuracy),
    ...(front.seedNetwork?.accuracy != null ? [front.seedNetwork.accuracy] : []),
  ]);
  const accuracyFloor = accuracies.length ? Math.max(0, Math.floor(Math.min(...accuracies) * 20) / 20 - 0.05) : 0;
  // Close accuracies need a decimal, or neighbouring ticks would both read "100%".
  const accuracyDecimals = 1 - accuracyFloor < 0.2 ? 1 : 0;

  // Keyboard: the chart is one tab stop; arrows walk the points by cost, Enter opens the active one.
  // (Focusable markers would be one tab stop per point and lose focus whenever recharts redraws.)
  const pointsByCost = series
    .flatMap(({ front, label }) => [
      ...front.pareto.map((point): ChartPoint => ({ kind: 'run', sweepLabel: label, onFront: true, point })),
      ...front.dominated.map((point): ChartPoint => ({ kind: 'run', sweepLabel: label, onFront: false, point })),
      ...front.retrained.map((point): ChartPoint => ({ kind: 'retrain', sweepLabel: label, point })),
      ...(front.seedNetwork && front.seedNetwork.accuracy !== null
        ? [{ kind: 'seed', sweepLabel: label, cost: front.seedNetwork.cost, accuracy: front.seedNetwork.accuracy } as ChartPoint]
        : []),
    ])
    .sort((a, b) => costOf(a) - costOf(b) || accuracyOf(a) - accuracyOf(b));
  const activeIndex = pointsByCost.findIndex((point) => chartPointKey(point) === activeKey);
  // A press on a marker opens it, resolved at the chart rather than on the marker: hovering a marker
  // re-renders it (it grows), and a marker redrawn between mouse-down and mouse-up never receives a
  // click. The key pressed is remembered at pointer-down and opened at pointer-up.
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

  return (
    <div
      className="chart-frame"
      data-testid="pareto-chart"
      tabIndex={0}
      role="group"
      aria-label={`Pareto chart, ${pointsByCost.length} points: arrow keys move between points by cost, Enter opens the run`}
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      onPointerUp={onPointerUp}
      onFocus={() => {
        if (activeIndex < 0 && pointsByCost.length > 0) onActivate(pointsByCost[0]);
      }}
    >
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
          {series.map(({ front, label, color }) => (
            <Scatter
              key={`front-line-${front.sweepId}`}
              name={`${label} Pareto front`}
              data={[...front.pareto]
                .sort((a, b) => a.cost - b.cost)
                .map((point) => ({ cost: point.cost, accuracy: point.accuracy }))}
              line={{ stroke: color, strokeWidth: 2 }}
              lineJointType="stepAfter"
              shape={renderNothing}
              isAnimationActive={false}
              className="front-step-line"
            />
          ))}
          {series.flatMap(({ front, label, color }) =>
            thresholds.map((threshold) => (
              <Scatter
                key={`runs-${front.sweepId}-${threshold}`}
                name={`${label} threshold ${threshold}`}
                data={runData(front, label, color, threshold)}
                isAnimationActive={false}
                shape={renderMarker}
              />
            )),
          )}
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
    </div>
  );
}
