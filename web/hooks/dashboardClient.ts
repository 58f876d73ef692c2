'use client';

/**
 * The dashboard's one door to the HTTP API: same origin, authorized by the session cookie that
 * POST /api/session sets (or by nothing in the loopback no-auth mode).
 */
import type {
  CancelSweepResponse,
  CreateSweepResponse,
  Front,
  RetrainRequest,
  RunDetail,
  SweepDetail,
  SweepPage,
} from '../../src/client/wire.ts';
import type { CostKind, SweepConfigInput } from '../../src/sweep/config.ts';

export class DashboardApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = 'DashboardApiError';
  }
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof DashboardApiError && error.status === 401;
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (e.g. a proxy's error page): report the status below.
  }
  if (!response.ok) {
    const envelope = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new DashboardApiError(
      response.status,
      envelope?.code ?? 'http_error',
      envelope?.message ?? `${method} ${path} answered ${response.status} ${response.statusText}`,
      envelope?.details,
    );
  }
  return json as T;
}

const enc = encodeURIComponent;

export const dashboardClient = {
  listSweeps: (limit: number) => call<SweepPage>('GET', `/api/sweeps?limit=${limit}`),
  getSweep: (sweepId: string) => call<SweepDetail>('GET', `/api/sweeps/${enc(sweepId)}`),
  getFront: (sweepId: string, cost: CostKind) => call<Front>('GET', `/api/sweeps/${enc(sweepId)}/front?cost=${cost}`),
  getRun: (runId: string) => call<RunDetail>('GET', `/api/runs/${enc(runId)}`),
  createSweep: (config: SweepConfigInput) => call<CreateSweepResponse>('POST', '/api/sweeps', config),
  cancelSweep: (sweepId: string) => call<CancelSweepResponse>('POST', `/api/sweeps/${enc(sweepId)}/cancel`),
  startRetrain: (runId: string, request: RetrainRequest) => call<{ retrainId: string }>('POST', `/api/runs/${enc(runId)}/retrain`, request),
  signIn: (token: string) => call<void>('POST', '/api/session', { token }),
};
