'use client';

import Link from 'next/link';
import type { CostAxis } from '../hooks/dashboard-types.ts';
import { formatAccuracy, formatCost, formatStrength, retrainScaling } from './format.ts';
import type { ChartPoint } from './GraphParetoFront.tsx';
import { RunWidthSummary } from './RunWidthSummary.tsx';

/** Details of the hovered or focused marker; a live region so screen readers hear it too. */
export function PointDetails({ point, costAxis }: { point: ChartPoint | null; costAxis: CostAxis }) {
  return (
    <aside className="point-details" aria-live="polite" data-testid="point-details">
      {point === null ? (
        <p className="muted">Hover a point, or Tab to the chart and use the arrow keys, to see its details; a click or Enter opens its run.</p>
      ) : point.kind === 'seed' ? (
        <>
          <h3>Seed network</h3>
          <dl>
            <dt>Sweep</dt>
            <dd>{point.sweepLabel}</dd>
            <dt>Structure</dt>
            <dd>unpruned, trained on the sweep&apos;s recipe</dd>
            <dt>Cost</dt>
            <dd>{formatCost(point.cost, costAxis)}</dd>
            <dt>Accuracy</dt>
            <dd>{formatAccuracy(point.accuracy)}</dd>
          </dl>
        </>
      ) : point.kind === 'retrain' ? (
        <>
          <h3>Retrained structure</h3>
          <dl>
            <dt>From run</dt>
            <dd>
              <Link href={`/runs/${encodeURIComponent(point.point.runId)}`}>{point.point.runId}</Link>
            </dd>
            {point.source && (
              <>
                <dt>Strength</dt>
                <dd>{formatStrength(point.source.strength)}</dd>
                <dt>Threshold</dt>
                <dd>{point.source.threshold}</dd>
              </>
            )}
            <dt>Scaling</dt>
            <dd>{retrainScaling(point.point, costAxis)}</dd>
            <dt>Cost</dt>
            <dd>{formatCost(point.cost, costAxis)}</dd>
            <dt>Accuracy</dt>
            <dd>{formatAccuracy(point.accuracy)}</dd>
            <dt>Pareto</dt>
            <dd>{point.onFront ? 'on the front' : 'dominated'}</dd>
          </dl>
        </>
      ) : (
        <>
          <h3>
            Run <Link href={`/runs/${encodeURIComponent(point.point.runId)}`}>{point.point.runId}</Link>
          </h3>
          <dl>
            <dt>Sweep</dt>
            <dd>{point.sweepLabel}</dd>
            <dt>Strength</dt>
            <dd>{formatStrength(point.point.strength)}</dd>
            <dt>Threshold</dt>
            <dd>{point.point.threshold}</dd>
            <dt>Seed</dt>
            <dd>{point.point.seed}</dd>
            <dt>Cost</dt>
            <dd>{formatCost(point.cost, costAxis)}</dd>
            <dt>Accuracy</dt>
            <dd>{formatAccuracy(point.accuracy)}</dd>
            <dt>Widths</dt>
            <dd>
              <RunWidthSummary runId={point.point.runId} />
            </dd>
            <dt>Pareto</dt>
            <dd>{point.onFront ? 'on the front' : 'dominated'}</dd>
          </dl>
        </>
      )}
    </aside>
  );
}
