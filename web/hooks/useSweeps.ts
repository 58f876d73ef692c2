'use client';

import type { SweepSummary } from './dashboard-types.ts';
import { dashboardClient } from './dashboardClient.ts';
import { useResource, type Resource } from './useResource.ts';

/** The list refreshes on a slow timer: it shows many sweeps, each page opens its own live stream. */
const LIST_REFRESH_MS = 5000;
const LIST_LIMIT = 100;

/** The newest sweeps (the API's first page). */
export function useSweeps(): Resource<SweepSummary[]> {
  return useResource('sweeps', async () => (await dashboardClient.listSweeps({ limit: LIST_LIMIT })).items, { refreshMs: LIST_REFRESH_MS });
}
