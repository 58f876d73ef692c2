'use client';

import Link from 'next/link';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ApiErrorNotice } from '../../components/ApiErrorNotice.tsx';
import { compactNumber, costOnAxis, formatAccuracy, formatCost, formatShare, runLabel } from '../../components/format.ts';
import type { CostAxis, RunDetail } from '../../hooks/dashboard-types.ts';
import { useRun } from '../../hooks/useRun.ts';
import { useSweep } from '../../hooks/useSweep.ts';
import { useDocumentTitle } from '../../hooks/useDocumentTitle.ts';

const RUN_COLORS = ['#1d4ed8', '#db2777', '#059669'];
const AXES: Array<{ axis: CostAxis; label: string }> = [
  { axis: 'flops', label: 'FLOPs' },
  { axis: 'model-size', label: 'Model size' },
  { axis: 'latency', label: 'Latency' },
];

/** Two or three runs side by side: widths per layer, cost on every axis, accuracies and curves. */
export function CompareView({ runIds }: { runIds: string[] }) {
  // A fixed number of hooks: up to three runs.
  const loaded = [useRun(runIds[0] ?? null), useRun(runIds[1] ?? null), useRun(runIds[2] ?? null)].slice(0, runIds.length);
  const firstSweepId = loaded[0]?.data?.sweepId ?? null;
  const sweep = useSweep(firstSweepId);

  useDocumentTitle(`Compare ${runIds.join(', ')} · MorphSweep`);
  if (runIds.length < 2) {
    return (
      <>
        <h1>Compare runs</h1>
        <p>
          Pick two or three runs in a sweep&apos;s Points table (the tick boxes) to compare them. <Link href="/">Back to the sweeps</Link>
        </p>
      </>
    );
  }
  const failed = loaded.find((resource) => resource.error);
  if (failed?.error) return <ApiErrorNotice error={failed.error} what="a run to compare" />;
  const runs = loaded.map((resource) => resource.data);
  if (runs.some((run) => run === null)) return <p className="muted">Loading runs…</p>;
  const ready = runs as RunDetail[];
  const seedCost = sweep.data?.seedCost ?? null;

  const layerNames = [...new Set(ready.flatMap((run) => (run.layers ?? []).map((layer) => layer.name)))];
  const seedWidth = (name: string) => ready.flatMap((run) => run.layers ?? []).find((layer) => layer.name === name)?.seed;

  return (
    <>
      <h1>Compare {ready.length} runs</h1>
      {sweep.data && (
        <p>
          <Link href={`/sweeps/${encodeURIComponent(sweep.data.id)}`}>← {sweep.data.name}</Link>
        </p>
      )}
      <div className="table-wrap">
        <table className="data-table" data-testid="compare-costs">
          <caption>Cost on every axis and accuracy</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              {AXES.map(({ axis, label }) => (
                <th key={axis} scope="col">
                  {label}
                </th>
              ))}
              <th scope="col">Val. accuracy</th>
              <th scope="col">Test accuracy</th>
            </tr>
          </thead>
          <tbody>
            {ready.map((run, index) => (
              <tr key={run.id} data-run-id={run.id}>
                <th scope="row">
                  <span className="legend-line" style={{ background: RUN_COLORS[index] }} aria-hidden="true" />{' '}
                  <Link href={`/runs/${encodeURIComponent(run.id)}`}>{run.id}</Link>
                  <span className="run-label">{runLabel(run)}</span>
                </th>
                {AXES.map(({ axis }) => {
                  const cost = costOnAxis(run.costs, axis);
                  const seed = seedCost ? costOnAxis(seedCost, axis) : null;
                  return (
                    <td key={axis} className="num">
                      {cost === null ? '–' : formatCost(cost, axis)}
                      {cost !== null && seed ? <span className="run-label">{formatShare(cost / seed)} of seed</span> : null}
                    </td>
                  );
                })}
                <td className="num">{formatAccuracy(run.valAccuracy)}</td>
                <td className="num">{formatAccuracy(run.testAccuracy)}</td>
              </tr>
            ))}
            {seedCost && (
              <tr data-run-id="seed">
                <th scope="row">seed network (unpruned)</th>
                {AXES.map(({ axis }) => {
                  const cost = costOnAxis(seedCost, axis);
                  return (
                    <td key={axis} className="num">
                      {cost === null ? '–' : formatCost(cost, axis)}
                    </td>
                  );
                })}
                <td className="num">{formatAccuracy(sweep.data?.seedAccuracy ?? null)}</td>
                <td className="num">–</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      <h2>Widths per layer</h2>
      <div className="table-wrap">
        <table className="data-table" data-testid="compare-widths">
          <caption className="visually-hidden">Alive output channels per layer of each run, against the seed network</caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Seed</th>
              {ready.map((run) => (
                <th key={run.id} scope="col">
                  {run.id}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {layerNames.map((name) => (
              <tr key={name} data-layer={name}>
                <td>{name}</td>
                <td className="num">{seedWidth(name) ?? '–'}</td>
                {ready.map((run) => (
                  <td key={run.id} className="num">
                    {run.layers?.find((layer) => layer.name === name)?.alive ?? '–'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>Curves</h2>
      <div className="compare-grid">
        <CurveOverlay runs={ready} title="Validation accuracy" value={(point) => point.valAccuracy} format={(value) => `${Number((value * 100).toFixed(1))}%`} />
        <CurveOverlay
          runs={ready}
          title={`Cost (${sweep.data?.costAxis === 'latency' ? 'latency' : sweep.data?.costAxis === 'model-size' ? 'weights' : 'FLOPs'})`}
          value={(point) => point.cost}
          format={(value) => (sweep.data?.costAxis === 'latency' ? formatCost(value, 'latency') : compactNumber(value))}
        />
        <CurveOverlay runs={ready} title="Task loss" value={(point) => point.taskLoss} format={(value) => String(Number(value.toPrecision(3)))} />
      </div>
    </>
  );
}

function CurveOverlay(props: { runs: RunDetail[]; title: string; value: (point: RunDetail['curve'][number]) => number | null; format: (value: number) => string }) {
  const { runs, title, value, format } = props;
  const byStep = new Map<number, Record<string, number>>();
  runs.forEach((run) => {
    for (const point of run.curve) {
      const measured = value(point);
      if (measured === null) continue;
      const row = byStep.get(point.step) ?? { step: point.step };
      row[run.id] = measured;
      byStep.set(point.step, row);
    }
  });
  const data = [...byStep.values()].sort((a, b) => a.step! - b.step!);
  const maxSteps = Math.max(...runs.map((run) => run.totalSteps));
  return (
    <figure className="curve-panel" data-testid={`compare-curve-${title}`}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis dataKey="step" type="number" domain={[0, maxSteps]} label={{ value: 'step', position: 'insideBottom', offset: -8 }} />
          <YAxis tickFormatter={format} width={72} domain={['auto', 'auto']} />
          <Tooltip formatter={(measured) => format(Number(measured))} labelFormatter={(step) => `step ${step}`} />
          <Legend verticalAlign="top" />
          {runs.map((run, index) => (
            <Line key={run.id} dataKey={run.id} stroke={RUN_COLORS[index]} dot={data.length <= 30} connectNulls isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
