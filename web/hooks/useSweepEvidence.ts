'use client';

import { useState } from 'react';
import type { EvidenceList } from '../../src/client/wire.ts';
import { dashboardClient } from './dashboardClient.ts';
import { useResource, type Resource } from './useResource.ts';

/** While an evidence run's arms still train, its sweep and run pages re-read it this often. */
const LIVE_REFRESH_MS = 3000;

/** Every evidence run of a sweep; refreshes until none is pending or running. */
export function useSweepEvidence(sweepId: string | null): Resource<EvidenceList> {
  const [polling, setPolling] = useState(false);
  return useResource(sweepId === null ? null : `evidence:${sweepId}`, async () => {
    const list = await dashboardClient.listSweepEvidence(sweepId!);
    setPolling(list.evidence.some((evidence) => evidence.status === 'pending' || evidence.status === 'running'));
    return list;
  }, { refreshMs: polling ? LIVE_REFRESH_MS : undefined });
}
