import Link from 'next/link';
import type { CostAxis, LiveRun } from '../hooks/dashboard-types.ts';
import { formatAccuracy, formatCost, formatStrength } from './format.ts';
import { StepProgress } from './StepProgress.tsx';

/** Runs training right now, from the sweep workflow's latest heartbeats. */
export function LiveRunsTable({ runs, costAxis }: { runs: LiveRun[]; costAxis: CostAxis }) {
  return (
    <table className="data-table" data-testid="live-runs">
      <caption className="visually-hidden">Runs training now</caption>
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Strength</th>
          <th scope="col">Threshold</th>
          <th scope="col">Progress</th>
          <th scope="col">Task loss</th>
          <th scope="col">Reg. loss</th>
          <th scope="col">Cost now</th>
          <th scope="col">Val. accuracy</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.runId}>
            <td>
              <Link href={`/runs/${encodeURIComponent(run.runId)}`}>{run.runId}</Link>
              {run.attempt > 1 && <span className="muted"> (attempt {run.attempt})</span>}
            </td>
            <td className="num">{formatStrength(run.strength)}</td>
            <td className="num">{run.threshold}</td>
            <td>
              <StepProgress step={run.step} totalSteps={run.totalSteps} label={`run ${run.runId} progress`} />
            </td>
            <td className="num">{run.loss.toPrecision(3)}</td>
            <td className="num">{run.regLoss.toPrecision(3)}</td>
            <td className="num">{formatCost(run.cost, costAxis)}</td>
            <td className="num">{formatAccuracy(run.accuracy)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
