'use client';

import Link from 'next/link';
import { memo, useMemo, useState } from 'react';
import type { CostAxis } from '../hooks/dashboard-types.ts';
import { COST_AXIS_LABELS, formatAccuracy, formatCost, formatStrength, retrainScaling } from './format.ts';
import type { ChartPoint } from './GraphParetoFront.tsx';

/** One row: a structure-learning run, a retrain of one, or the seed network. */
export type TablePoint = ChartPoint;

type SortKey = 'kind' | 'strength' | 'threshold' | 'cost' | 'accuracy' | 'onFront';
const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'kind', label: 'Kind' },
  { key: 'strength', label: 'Strength' },
  { key: 'threshold', label: 'Threshold' },
  { key: 'cost', label: 'Cost' },
  { key: 'accuracy', label: 'Accuracy' },
  { key: 'onFront', label: 'Pareto' },
];
const KIND_ORDER = { run: 0, retrain: 1, seed: 2 } as const;

/** The run a row comes from (a retrain's source run), for strength and threshold. */
function sourceOf(point: TablePoint) {
  return point.kind === 'run' ? point.point : point.kind === 'retrain' ? point.source : undefined;
}

function sortValue(point: TablePoint, key: SortKey): number {
  if (key === 'kind') return KIND_ORDER[point.kind];
  if (key === 'onFront') return point.onFront ? 1 : 0;
  if (key === 'cost' || key === 'accuracy') return point[key];
  return sourceOf(point)?.[key] ?? Number.NaN;
}

/** Rows shown at once: 10,000 rows in the DOM made the sweep page take seconds to become usable. */
export const TABLE_PAGE_ROWS = 100;
/** Runs the compare view takes side by side. */
export const MAX_COMPARED = 3;

/**
 * Every point of the front's chart as a table, a page of rows at a time; column headers are buttons
 * that sort (again: reverse). Runs can be ticked for the compare view. Memoized: hovering the chart
 * re-renders the page around it.
 */
export const FrontPointTable = memo(function FrontPointTable(props: {
  points: TablePoint[];
  costAxis: CostAxis;
  selectedRunIds: string[];
  onToggleRun: (runId: string) => void;
}) {
  const { points, costAxis, selectedRunIds, onToggleRun } = props;
  const [sortKey, setSortKey] = useState<SortKey>('cost');
  const [ascending, setAscending] = useState(true);
  const [page, setPage] = useState(0);
  const sorted = useMemo(
    () =>
      [...points].sort((a, b) => {
        const [x, y] = [sortValue(a, sortKey), sortValue(b, sortKey)];
        // Rows without the value (the seed has no strength) go last either way.
        if (Number.isNaN(x) || Number.isNaN(y)) return Number(Number.isNaN(x)) - Number(Number.isNaN(y));
        return ascending ? x - y : y - x;
      }),
    [points, sortKey, ascending],
  );
  const showSweep = useMemo(() => new Set(points.map((p) => p.sweepLabel)).size > 1, [points]);
  const pageCount = Math.max(1, Math.ceil(sorted.length / TABLE_PAGE_ROWS));
  // Points can disappear (axis switch); stay on a page that exists.
  const shownPage = Math.min(page, pageCount - 1);
  const firstRow = shownPage * TABLE_PAGE_ROWS;
  const rows = sorted.slice(firstRow, firstRow + TABLE_PAGE_ROWS);
  const selected = new Set(selectedRunIds);

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
        <caption className="visually-hidden">Finished runs, retrains and the seed network of the sweep, sortable by column</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Compare</span>
            </th>
            <th scope="col">Point</th>
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
          {rows.map((point) => {
            const source = sourceOf(point);
            return (
              <tr key={point.key} data-row-key={point.key} data-run-id={point.kind === 'run' ? point.point.runId : undefined} data-kind={point.kind}>
                <td>
                  {point.kind === 'run' && (
                    <input
                      type="checkbox"
                      aria-label={`Compare run ${point.point.runId}`}
                      checked={selected.has(point.point.runId)}
                      disabled={!selected.has(point.point.runId) && selected.size >= MAX_COMPARED}
                      onChange={() => onToggleRun(point.point.runId)}
                    />
                  )}
                </td>
                <td>
                  {point.kind === 'seed' ? (
                    'seed network'
                  ) : (
                    <Link href={`/runs/${encodeURIComponent(point.point.runId)}`}>{point.point.runId}</Link>
                  )}
                </td>
                {showSweep && <td>{point.sweepLabel}</td>}
                <td>
                  {point.kind === 'run' ? (
                    <span className="kind-tag">structure learning</span>
                  ) : point.kind === 'retrain' ? (
                    <span className="kind-tag retrain">retrained, {retrainScaling(point.point, costAxis)}</span>
                  ) : (
                    <span className="kind-tag seed">unpruned</span>
                  )}
                </td>
                <td className="num">{source ? formatStrength(source.strength) : '–'}</td>
                <td className="num">{source ? source.threshold : '–'}</td>
                <td className="num">{formatCost(point.cost, costAxis)}</td>
                <td className="num">{formatAccuracy(point.accuracy)}</td>
                <td>{point.onFront ? 'front' : 'dominated'}</td>
              </tr>
            );
          })}
          {sorted.length === 0 && (
            <tr>
              <td colSpan={showSweep ? 9 : 8} className="muted">
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
