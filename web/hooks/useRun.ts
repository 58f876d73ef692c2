'use client';

import { useState } from 'react';
import type { RunDetail } from './dashboard-types.ts';
import { dashboardClient } from './dashboardClient.ts';
import { useResource, type Resource } from './useResource.ts';

/** While a run trains or a retrain of it runs, its page re-reads it this often. */
const LIVE_REFRESH_MS = 2000;
const ACTIVE = new Set(['pending', 'running']);

function isActive(run: RunDetail | null): boolean {
  return run !== null && (ACTIVE.has(run.status) || run.retrains.some((retrain) => ACTIVE.has(retrain.status)));
}

/**
 * One run with its curves, widths and retrains. With `live`, it keeps refreshing while the run or
 * one of its retrains is still going, and stops once everything has finished.
 */
export function useRun(runId: string | null, options: { live?: boolean } = {}): Resource<RunDetail> {
  const [polling, setPolling] = useState(false);
  const resource = useResource(runId === null ? null : `run:${runId}`, async () => {
    const run = await dashboardClient.getRun(runId!);
    if (options.live) setPolling(isActive(run));
    return run;
  }, { refreshMs: options.live && polling ? LIVE_REFRESH_MS : undefined });
  return resource;
}
