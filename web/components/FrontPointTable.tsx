'use client';

import Link from 'next/link';
import { memo, useMemo, useState } from 'react';
import type { CostAxis, FrontPoint } from '../hooks/dashboard-types.ts';
import { COST_AXIS_LABELS, formatAccuracy, formatCost, formatStrength } from './format.ts';

export interface TablePoint extends FrontPoint {
  sweepLabel: string;
  onFront: boolean;
}

type SortKey = 'strength' | 'threshold' | 'cost' | 'accuracy' | 'onFront';
const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'strength', label: 'Strength' },
  { key: 'threshold', label: 'Threshold' },
  { key: 'cost', label: 'Cost' },
  { key: 'accuracy', label: 'Accuracy' },
  { key: 'onFront', label: 'Pareto' },
];

/** Rows shown at once: 10,000 rows in the DOM made the sweep page take seconds to become usable. */
export const TABLE_PAGE_ROWS = 100;

/**
 * The front's points as a table, a page of rows at a time; column headers are buttons that sort
 * (again: reverse). Memoized: hovering the chart re-renders the page around it.
 */
export const FrontPointTable = memo(function FrontPointTable({ points, costAxis }: { points: TablePoint[]; costAxis: CostAxis }) {
  const [sortKey, setSortKey] = useState<SortKey>('cost');
  const [ascending, setAscending] = useState(true);
  const [page, setPage] = useState(0);
  const sorted = useMemo(
    () =>
      [...points].sort((a, b) => {
        const difference = Number(a[sortKey]) - Number(b[sortKey]);
        return ascending ? difference : -difference;
      }),
    [points, sortKey, ascending],
  );
  const showSweep = useMemo(() => new Set(points.map((p) => p.sweepLabel)).size > 1, [points]);
  const pageCount = Math.max(1, Math.ceil(sorted.length / TABLE_PAGE_ROWS));
  // Points can disappear (axis switch); stay on a page that exists.
  const shownPage = Math.min(page, pageCount - 1);
  const firstRow = shownPage * TABLE_PAGE_ROWS;
  const rows = sorted.slice(firstRow, firstRow + TABLE_PAGE_ROWS);

  const sortBy = (key: SortKey) => {
    if (key === sortKey) setAscending(!ascending);
    else {
      setSortKey(key);
      setAscending(true);
    }
    setPage(0);
  };

  return (
    <>
      <table className="data-table" data-testid="front-table">
        <caption className="visually-hidden">Finished runs of the sweep, sortable by column</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            {showSweep && <th scope="col">Sweep</th>}
            {COLUMNS.map(({ key, label }) => (
              <th key={key} scope="col" aria-sort={key === sortKey ? (ascending ? 'ascending' : 'descending') : 'none'}>
                <button type="button" className="sort-button" onClick={() => sortBy(key)}>
                  {key === 'cost' ? `${label} (${COST_AXIS_LABELS[costAxis]})` : label}
                  <span aria-hidden="true">{key === sortKey ? (ascending ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((point) => (
            <tr key={point.runId} data-run-id={point.runId}>
              <td>
                <Link href={`/runs/${encodeURIComponent(point.runId)}`}>{point.runId}</Link>
              </td>
              {showSweep && <td>{point.sweepLabel}</td>}
              <td className="num">{formatStrength(point.strength)}</td>
              <td className="num">{point.threshold}</td>
              <td className="num">{formatCost(point.cost, costAxis)}</td>
              <td className="num">{formatAccuracy(point.accuracy)}</td>
              <td>{point.onFront ? 'front' : 'dominated'}</td>
            </tr>
          ))}
          {sorted.length === 0 && (
            <tr>
              <td colSpan={showSweep ? 7 : 6} className="muted">
                No finished runs yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {pageCount > 1 && (
        <nav className="table-pager" aria-label="Table pages" data-testid="front-table-pager">
          <button type="button" onClick={() => setPage(shownPage - 1)} disabled={shownPage === 0}>
            Previous {TABLE_PAGE_ROWS}
          </button>
          <span aria-live="polite">
            Rows {(firstRow + 1).toLocaleString('en')}–{(firstRow + rows.length).toLocaleString('en')} of {sorted.length.toLocaleString('en')}
          </span>
          <button type="button" onClick={() => setPage(shownPage + 1)} disabled={shownPage === pageCount - 1}>
            Next {TABLE_PAGE_ROWS}
          </button>
        </nav>
      )}
    </>
  );
});
