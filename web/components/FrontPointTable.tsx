'use client';

import Link from 'next/link';
import { useState } from 'react';
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

/** The front's points as a table; column headers are buttons that sort (again: reverse). */
export function FrontPointTable({ points, costAxis }: { points: TablePoint[]; costAxis: CostAxis }) {
  const [sortKey, setSortKey] = useState<SortKey>('cost');
  const [ascending, setAscending] = useState(true);
  const sorted = [...points].sort((a, b) => {
    const difference = Number(a[sortKey]) - Number(b[sortKey]);
    return ascending ? difference : -difference;
  });
  const showSweep = new Set(points.map((p) => p.sweepLabel)).size > 1;

  const sortBy = (key: SortKey) => {
    if (key === sortKey) setAscending(!ascending);
    else {
      setSortKey(key);
      setAscending(true);
    }
  };

  return (
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
        {sorted.map((point) => (
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
  );
}
