'use client';

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CostAxis, CurvePoint } from '../hooks/dashboard-types.ts';
import { COST_AXIS_LABELS, compactNumber, formatCost } from './format.ts';

type CurveKey = 'taskLoss' | 'regLoss' | 'cost' | 'valAccuracy';
/** Fewer samples than this get a marker each: sparse evaluations are points, not a line's corners. */
const MARK_SAMPLES_UP_TO = 40;
/** Exponential moving average weight for the smoothed loss line (TensorBoard's default is 0.6). */
const SMOOTHING = 0.6;
const SMOOTH_FROM_SAMPLES = 20;

/** TensorBoard-style debiased EMA, so the first values are not pulled towards zero. */
export function smoothed(values: number[], weight: number): number[] {
  let average = 0;
  return values.map((value, index) => {
    average = average * weight + (1 - weight) * value;
    return average / (1 - weight ** (index + 1));
  });
}

function CurvePanel(props: {
  curve: CurvePoint[];
  dataKey: CurveKey;
  title: string;
  color: string;
  totalSteps: number;
  format: (value: number) => string;
  /** Noisy per-step values get a smoothed line over the raw one. */
  smooth?: boolean;
  /** A fixed axis (accuracy); otherwise the axis fits the samples. */
  axis?: (values: number[]) => { domain: [number, number]; ticks: number[] };
}) {
  const { curve, dataKey, title, color, totalSteps, format, smooth, axis } = props;
  const samples = curve.filter((point) => point[dataKey] !== null);
  const values = samples.map((point) => point[dataKey]!);
  const fixedAxis = axis?.(values);
  // A few samples are read one by one; smoothing helps once there are enough to be noisy.
  const smoothValues = smooth && samples.length >= SMOOTH_FROM_SAMPLES ? smoothed(values, SMOOTHING) : null;
  const data = samples.map((point, index) => ({ step: point.step, value: values[index], smooth: smoothValues?.[index] }));
  const marked = samples.length <= MARK_SAMPLES_UP_TO;
  return (
    <figure className="curve-panel" data-testid={`curve-${dataKey}`}>
      <figcaption>
        {title}
        {smoothValues && <span className="muted"> (thin: as measured; thick: smoothed)</span>}
      </figcaption>
      {samples.length === 0 ? (
        <p className="muted">No samples yet.</p>
      ) : (
        <ResponsiveContainer width="100%" height={210}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 18, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            {/* Every panel spans the whole run, so the panels line up step for step. */}
            <XAxis dataKey="step" type="number" domain={[0, Math.max(totalSteps, samples.at(-1)!.step)]} label={{ value: 'step', position: 'insideBottom', offset: -10 }} />
            <YAxis tickFormatter={format} width={72} domain={fixedAxis?.domain ?? ['auto', 'auto']} ticks={fixedAxis?.ticks} />
            <Tooltip formatter={(value) => format(Number(value))} labelFormatter={(step) => `step ${step}`} />
            <Line
              type="linear"
              dataKey="value"
              name={title}
              stroke={color}
              strokeOpacity={smoothValues ? 0.35 : 1}
              dot={marked ? { r: 3, fill: color } : false}
              strokeWidth={smoothValues ? 1 : 2}
              isAnimationActive={false}
            />
            {smoothValues && <Line type="linear" dataKey="smooth" name={`${title}, smoothed`} stroke={color} dot={false} strokeWidth={2.5} isAnimationActive={false} />}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}

/**
 * Accuracy from a round tenth below the lowest sample up to 100%: a fitted axis stretched a constant
 * 100% into -100%..300%, and one that stops short of 100% hides how far from perfect a run is.
 */
function accuracyAxis(values: number[]): { domain: [number, number]; ticks: number[] } {
  const lowest = Math.max(0, Math.min(0.9, Math.floor(Math.min(...values) * 10) / 10));
  const step = 1 - lowest > 0.5 ? 0.2 : 0.1;
  const ticks: number[] = [];
  for (let tick = 1; tick >= lowest - 1e-9; tick -= step) ticks.unshift(Math.max(0, Number(tick.toFixed(2))));
  return { domain: [ticks[0]!, 1], ticks };
}

/** Structure-learning curves of one run against training step. */
export function CurvesChart({ curve, costAxis, totalSteps }: { curve: CurvePoint[]; costAxis: CostAxis; totalSteps: number }) {
  const shortNumber = (value: number) => (Math.abs(value) >= 1000 || (value !== 0 && Math.abs(value) < 0.01) ? value.toExponential(1) : String(Number(value.toPrecision(3))));
  return (
    <div className="curves-grid">
      <CurvePanel curve={curve} dataKey="taskLoss" title="Task loss" color="#2563eb" totalSteps={totalSteps} format={shortNumber} smooth />
      <CurvePanel curve={curve} dataKey="regLoss" title="Regularization loss" color="#9333ea" totalSteps={totalSteps} format={shortNumber} smooth />
      <CurvePanel
        curve={curve}
        dataKey="cost"
        title={`Cost (${COST_AXIS_LABELS[costAxis]})`}
        color="#dc2626"
        totalSteps={totalSteps}
        format={(value) => (costAxis === 'latency' ? formatCost(value, costAxis) : compactNumber(value))}
      />
      <CurvePanel
        curve={curve}
        dataKey="valAccuracy"
        title="Validation accuracy"
        color="#16a34a"
        totalSteps={totalSteps}
        format={(value) => `${(value * 100).toFixed(0)}%`}
        axis={accuracyAxis}
      />
    </div>
  );
}
