'use client';

import type { SweepDetail } from './dashboard-types.ts';
import { dashboardClient } from './dashboardClient.ts';
import { useResource, type Resource } from './useResource.ts';

/** One sweep's config, status and (while it runs) the workflow's live progress. */
export function useSweep(sweepId: string | null): Resource<SweepDetail> {
  return useResource(sweepId === null ? null : `sweep:${sweepId}`, () => dashboardClient.getSweep(sweepId!));
}
