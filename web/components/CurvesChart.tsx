'use client';

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CostAxis, CurvePoint } from '../hooks/dashboard-types.ts';
import { COST_AXIS_LABELS, compactNumber, formatCost } from './format.ts';

type CurveKey = 'taskLoss' | 'regLoss' | 'cost' | 'valAccuracy';

function CurvePanel(props: {
  curve: CurvePoint[];
  dataKey: CurveKey;
  title: string;
  color: string;
  format: (value: number) => string;
  /** A fixed axis (accuracy); otherwise the axis fits the samples. */
  axis?: (values: number[]) => { domain: [number, number]; ticks: number[] };
}) {
  const { curve, dataKey, title, color, format, axis } = props;
  const samples = curve.filter((point) => point[dataKey] !== null);
  const fixedAxis = axis?.(samples.map((point) => point[dataKey]!));
  return (
    <figure className="curve-panel" data-testid={`curve-${dataKey}`}>
      <figcaption>{title}</figcaption>
      {samples.length === 0 ? (
        <p className="muted">No samples yet.</p>
      ) : (
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={samples} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} />
            <YAxis tickFormatter={format} width={92} domain={fixedAxis?.domain ?? ['auto', 'auto']} ticks={fixedAxis?.ticks} />
            <Tooltip formatter={(value) => format(Number(value))} labelFormatter={(step) => `step ${step}`} />
            <Line type="linear" dataKey={dataKey} stroke={color} dot={false} strokeWidth={2} isAnimationActive={false} />
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
export function CurvesChart({ curve, costAxis }: { curve: CurvePoint[]; costAxis: CostAxis }) {
  const shortNumber = (value: number) => (Math.abs(value) >= 1000 || (value !== 0 && Math.abs(value) < 0.01) ? value.toExponential(1) : value.toPrecision(3));
  return (
    <div className="curves-grid">
      <CurvePanel curve={curve} dataKey="taskLoss" title="Task loss" color="#2563eb" format={shortNumber} />
      <CurvePanel curve={curve} dataKey="regLoss" title="Regularization loss" color="#9333ea" format={shortNumber} />
      <CurvePanel
        curve={curve}
        dataKey="cost"
        title={`Cost (${COST_AXIS_LABELS[costAxis]})`}
        color="#dc2626"
        format={(value) => (costAxis === 'latency' ? formatCost(value, costAxis) : compactNumber(value))}
      />
      <CurvePanel
        curve={curve}
        dataKey="valAccuracy"
        title="Validation accuracy"
        color="#16a34a"
        format={(value) => `${(value * 100).toFixed(0)}%`}
        axis={accuracyAxis}
      />
    </div>
  );
}
