import Link from 'next/link';
import type { SweepSummary } from '../hooks/dashboard-types.ts';
import { formatAccuracy, formatCost, formatDateTime } from './format.ts';
import { RunCountsBar } from './RunCountsBar.tsx';
import { StatusBadge } from './StatusBadge.tsx';

/** The sweeps list: status, progress and best point of each. */
export function SweepTable({ sweeps }: { sweeps: SweepSummary[] }) {
  return (
    <div className="table-wrap">
    <table className="data-table" data-testid="sweep-table">
      <caption className="visually-hidden">Sweeps, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Runs</th>
          <th scope="col">Most accurate run</th>
          <th scope="col">Tags</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {sweeps.map((sweep) => (
          <tr key={sweep.id} data-sweep-id={sweep.id}>
            <td>
              <Link href={`/sweeps/${encodeURIComponent(sweep.id)}`}>{sweep.name}</Link>
            </td>
            <td>
              <StatusBadge status={sweep.status} />
            </td>
            <td>
              <RunCountsBar runCounts={sweep.runs} />
            </td>
            {/* The most accurate run is usually the least pruned: its cost says how much that accuracy costs. */}
            <td className="num">
              {sweep.best ? `${formatAccuracy(sweep.best.accuracy)}${sweep.best.cost !== null ? ` at ${formatCost(sweep.best.cost, sweep.costAxis)}` : ''}` : '–'}
            </td>
            <td>{sweep.tags.join(', ')}</td>
            <td>
              <time dateTime={sweep.createdAt}>{formatDateTime(sweep.createdAt)}</time>
            </td>
          </tr>
        ))}
        {sweeps.length === 0 && (
          <tr>
            <td colSpan={6} className="muted">
              No sweeps yet. <Link href="/sweeps/new">Start one.</Link>
            </td>
          </tr>
        )}
      </tbody>
    </table>
    </div>
  );
}
