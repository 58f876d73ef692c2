'use client';

import type { CostAxis, Front } from './dashboard-types.ts';
import { dashboardClient } from './dashboardClient.ts';
import { useResource, type Resource } from './useResource.ts';

/**
 * The fronts of several sweeps on one cost axis (the sweep itself first, then its overlays). A null
 * axis means the first sweep's own: its front is then asked for without one (the API defaults to
 * it), so the page need not wait for the sweep's details before fetching its front, and overlays
 * follow on the axis that front came back on.
 */
export function useSweepFronts(sweepIds: string[], costAxis: CostAxis | null): Resource<Front[]> {
  const key = sweepIds.length === 0 ? null : `fronts:${costAxis ?? 'own'}:${sweepIds.join(',')}`;
  return useResource(key, async () => {
    if (costAxis !== null) return Promise.all(sweepIds.map((sweepId) => dashboardClient.getFront(sweepId, { cost: costAxis })));
    const [firstId, ...overlayIds] = sweepIds;
    const first = await dashboardClient.getFront(firstId);
    return [first, ...(await Promise.all(overlayIds.map((sweepId) => dashboardClient.getFront(sweepId, { cost: first.cost }))))];
  });
}
