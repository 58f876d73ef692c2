'use client';

import { useEffect, useRef } from 'react';

/** Runs report every step; redrawing the front more often than this only burns the laptop's CPU. */
const MIN_REFRESH_INTERVAL_MS = 1500;
/** When the event stream cannot be held open (a proxy, an expired session), poll instead. */
const FALLBACK_POLL_MS = 4000;

/**
 * Calls `onChange` (throttled) while a sweep's server-sent events (GET /api/sweeps/{id}/events) report
 * progress, once more when the sweep ends, and keeps calling it by polling if the stream breaks.
 * The session cookie authorizes the stream, so EventSource needs no header.
 */
export function useSweepEvents(sweepId: string | null, onChange: () => void): void {
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    if (sweepId === null) return;
    let lastRefreshMs = 0;
    let pending: ReturnType<typeof setTimeout> | null = null;
    let fallback: ReturnType<typeof setInterval> | null = null;

    const refresh = () => {
      const waitMs = lastRefreshMs + MIN_REFRESH_INTERVAL_MS - Date.now();
      if (waitMs <= 0) {
        lastRefreshMs = Date.now();
        onChangeRef.current();
      } else if (pending === null) {
        pending = setTimeout(() => {
          pending = null;
          lastRefreshMs = Date.now();
          onChangeRef.current();
        }, waitMs);
      }
    };

    const source = new EventSource(`/api/sweeps/${encodeURIComponent(sweepId)}/events`);
    source.addEventListener('run', refresh);
    source.addEventListener('progress', refresh);
    source.addEventListener('end', () => {
      source.close();
      onChangeRef.current();
    });
    source.onerror = () => {
      // EventSource retries by itself while CONNECTING; CLOSED means it gave up.
      if (source.readyState === EventSource.CLOSED && fallback === null) {
        fallback = setInterval(() => onChangeRef.current(), FALLBACK_POLL_MS);
      }
    };

    return () => {
      source.close();
      if (pending !== null) clearTimeout(pending);
      if (fallback !== null) clearInterval(fallback);
    };
  }, [sweepId]);
}
