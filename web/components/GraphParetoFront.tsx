'use client';

import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, XAxis, YAxis } from 'recharts';
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

interface Datum {
  cost: number;
  accuracy: number;
  key: string;
  chartPoint: ChartPoint;
}

export function chartPointKey(point: ChartPoint): string {
  if (point.kind === 'run') return `run:${point.point.runId}`;
  if (point.kind === 'retrain') return `retrain:${point.point.retrainId}`;
  return `seed:${point.sweepLabel}`;
}

function describe(point: ChartPoint, axis: CostAxis): string {
  const where = `cost ${formatCost(point.kind === 'seed' ? point.cost : point.point.cost, axis)}, accuracy ${formatAccuracy(
    point.kind === 'seed' ? point.accuracy : point.point.accuracy,
  )}`;
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

  const renderMarker = (shape: MarkerShape, fill: string, outline: string, radius: number) =>
    function Marker(shapeProps: { cx?: number; cy?: number; payload?: Datum }) {
      const { cx, cy, payload } = shapeProps;
      if (cx === undefined || cy === undefined || !payload || !Number.isFinite(cx) || !Number.isFinite(cy)) return <g />;
      const active = payload.key === activeKey;
      return (
        <g
          className="front-marker"
          data-point-key={payload.key}
          tabIndex={0}
          role="button"
          aria-label={describe(payload.chartPoint, costAxis)}
          onMouseEnter={() => onActivate(payload.chartPoint)}
          onFocus={() => onActivate(payload.chartPoint)}
          onClick={() => onOpen(payload.chartPoint)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              onOpen(payload.chartPoint);
            }
          }}
        >
          <PointSymbol
            shape={shape}
            cx={cx}
            cy={cy}
            size={active ? radius * 1.5 : radius}
            fill={fill}
            stroke={active ? '#111827' : outline}
            strokeWidth={active ? 2.5 : 1.2}
          />
        </g>
      );
    };

  const runData = (front: Front, sweepLabel: string, threshold: number): Datum[] =>
    [
      ...front.pareto.map((point) => ({ point, onFront: true })),
      ...front.dominated.map((point) => ({ point, onFront: false })),
    ]
      .filter(({ point }) => point.threshold === threshold)
      .map(({ point, onFront }) => {
        const chartPoint: ChartPoint = { kind: 'run', sweepLabel, onFront, point };
        return { cost: point.cost, accuracy: point.accuracy, key: chartPointKey(chartPoint), chartPoint };
      });

  const accuracies = series.flatMap(({ front }) => [
    ...front.pareto.map((p) => p.accuracy),
    ...front.dominated.map((p) => p.accuracy),
    ...front.retrained.map((p) => p.accuracy),
    ...(front.seedNetwork?.accuracy != null ? [front.seedNetwork.accuracy] : []),
  ]);
  const accuracyFloor = accuracies.length ? Math.max(0, Math.floor(Math.min(...accuracies) * 20) / 20 - 0.05) : 0;

  return (
    <div className="chart-frame" data-testid="pareto-chart">
      <ResponsiveContainer width="100%" height={420}>
        <ScatterChart margin={{ top: 16, right: 24, bottom: 32, left: 16 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d1d5db" />
          <XAxis
            type="number"
            dataKey="cost"
            name={COST_AXIS_LABELS[costAxis]}
            scale={logCost ? 'log' : 'linear'}
            domain={['auto', 'auto']}
            tickFormatter={(value: number) => formatCost(value, costAxis)}
            label={{ value: COST_AXIS_LABELS[costAxis], position: 'insideBottom', offset: -20 }}
            allowDataOverflow={false}
          />
          <YAxis
            type="number"
            dataKey="accuracy"
            name="Accuracy"
            domain={[accuracyFloor, 1]}
            tickFormatter={(value: number) => `${Math.round(value * 100)}%`}
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
              shape={() => <g />}
              isAnimationActive={false}
              className="front-step-line"
            />
          ))}
          {series.flatMap(({ front, label, color }) =>
            thresholds.map((threshold) => (
              <Scatter
                key={`runs-${front.sweepId}-${threshold}`}
                name={`${label} threshold ${threshold}`}
                data={runData(front, label, threshold)}
                isAnimationActive={false}
                shape={(shapeProps: { cx?: number; cy?: number; payload?: Datum }) => {
                  const strength = shapeProps.payload?.chartPoint.kind === 'run' ? shapeProps.payload.chartPoint.point.strength : 0;
                  return renderMarker(thresholdShape(threshold), strengthColors.colorOf(strength), color, 6)(shapeProps);
                }}
              />
            )),
          )}
          {series.map(({ front, label, color }) => (
            <Scatter
              key={`retrains-${front.sweepId}`}
              name={`${label} retrained`}
              data={front.retrained.map((point) => {
                const chartPoint: ChartPoint = { kind: 'retrain', sweepLabel: label, point };
                return { cost: point.cost, accuracy: point.accuracy, key: chartPointKey(chartPoint), chartPoint };
              })}
              isAnimationActive={false}
              shape={renderMarker('star', '#f97316', color, 7)}
            />
          ))}
          {series.map(({ front, label, color }) => {
            const seedNetwork = front.seedNetwork;
            if (!seedNetwork || seedNetwork.accuracy === null) return null;
            const chartPoint: ChartPoint = { kind: 'seed', sweepLabel: label, cost: seedNetwork.cost, accuracy: seedNetwork.accuracy };
            return (
              <Scatter
                key={`seed-${front.sweepId}`}
                name={`${label} seed network`}
                data={[{ cost: seedNetwork.cost, accuracy: seedNetwork.accuracy, key: chartPointKey(chartPoint), chartPoint }]}
                isAnimationActive={false}
                shape={renderMarker('ring', 'none', color, 9)}
              />
            );
          })}
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}
