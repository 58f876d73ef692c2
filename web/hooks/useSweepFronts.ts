'use client';

import type { CostAxis, Front } from './dashboard-types.ts';
import { dashboardClient } from './dashboardClient.ts';
import { useResource, type Resource } from './useResource.ts';

/** The fronts of several sweeps on one cost axis (the sweep itself first, then its overlays). */
export function useSweepFronts(sweepIds: string[], costAxis: CostAxis): Resource<Front[]> {
  const key = sweepIds.length === 0 ? null : `fronts:${costAxis}:${sweepIds.join(',')}`;
  return useResource(key, () => Promise.all(sweepIds.map((sweepId) => dashboardClient.getFront(sweepId, { cost: costAxis }))));
}
