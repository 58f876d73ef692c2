'use client';

import Link from 'next/link';
import { ApiErrorNotice } from '../components/ApiErrorNotice.tsx';
import { SweepTable } from '../components/SweepTable.tsx';
import { useSweeps } from '../hooks/useSweeps.ts';

export function SweepsView() {
  const sweeps = useSweeps();
  return (
    <>
      <div className="page-head">
        <h1>Sweeps</h1>
        <Link href="/sweeps/new" className="button primary">
          New sweep
        </Link>
      </div>
      {sweeps.error ? (
        <ApiErrorNotice error={sweeps.error} what="the sweeps" onRetry={sweeps.reload} />
      ) : sweeps.data === null ? (
        <p className="muted">Loading sweeps…</p>
      ) : (
        <SweepTable sweeps={sweeps.data} />
      )}
    </>
  );
}
