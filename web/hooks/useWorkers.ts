'use client';

import type { WorkerStatus } from '../../src/client/wire.ts';
import { dashboardClient } from './dashboardClient.ts';
import { useResource, type Resource } from './useResource.ts';

/** Workers poll at least every minute or so; checking every 15 s notices a lost fleet soon enough. */
const WORKERS_REFRESH_MS = 15_000;

export function useWorkers(enabled: boolean): Resource<WorkerStatus> {
  return useResource(enabled ? 'workers' : null, () => dashboardClient.describeWorkers(), { refreshMs: WORKERS_REFRESH_MS });
}
