'use client';

import { createMorphSweepClient, MorphSweepApiError } from '../../src/client/index.ts';

/**
 * The dashboard's one door to the HTTP API: the typed client that notebooks use, same origin, with
 * no token of its own. The browser's session cookie (set by POST /api/session) authorizes it, or
 * nothing does in the loopback no-auth mode.
 */
export const dashboardClient = createMorphSweepClient();

export function isUnauthorized(error: unknown): boolean {
  return error instanceof MorphSweepApiError && error.status === 401;
}

/**
 * Trade an API token for the session cookie. Browser-only (the typed client sends bearer tokens and
 * needs no session), so it lives here rather than in src/client.
 */
export async function postSession(token: string): Promise<void> {
  const response = await fetch('/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (response.ok) return;
  const envelope = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  throw new MorphSweepApiError(response.status, envelope?.error?.code ?? 'http_error', envelope?.error?.message ?? response.statusText);
}
