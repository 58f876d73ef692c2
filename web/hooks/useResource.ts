'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

export interface Resource<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  /** Fetch again now (keeps showing the last data meanwhile). */
  reload: () => void;
}

/**
 * Loads one thing from the API, keyed so that a changed key starts over and a stale answer never
 * overwrites a newer one. `refreshMs` re-fetches on an interval (for views that poll).
 */
export function useResource<T>(key: string | null, load: () => Promise<T>, options: { refreshMs?: number } = {}): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(key !== null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const [reloadCount, setReloadCount] = useState(0);

  useEffect(() => {
    setData(null);
    setError(null);
  }, [key]);

  useEffect(() => {
    if (key === null) return;
    const mine = ++generation.current;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setLoading(false);
      },
    );
  }, [key, reloadCount]);

  const { refreshMs } = options;
  useEffect(() => {
    if (key === null || !refreshMs) return;
    const timer = setInterval(() => setReloadCount((count) => count + 1), refreshMs);
    return () => clearInterval(timer);
  }, [key, refreshMs]);

  const reload = useCallback(() => setReloadCount((count) => count + 1), []);
  return { data, error, loading, reload };
}
