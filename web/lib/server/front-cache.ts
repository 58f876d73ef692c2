/**
 * Serialized fronts by (sweep, cost axis), each with the fingerprint of the rows it was built from.
 * A 10,000-run front is over a megabyte of JSON and most reads repeat while nothing changed (every
 * dashboard tab polls it), so a fingerprint match skips both the big query and the serialization.
 */

const MAX_ENTRIES = 32;

interface CachedFront {
  fingerprint: string;
  /** UTF-8 bytes, encoded once rather than on every answer. */
  json: Uint8Array<ArrayBuffer>;
}

const entries = new Map<string, CachedFront>();

function keyOf(sweepId: string, cost: string): string {
  return `${sweepId}\u0000${cost}`;
}

export function cachedFront(sweepId: string, cost: string, fingerprint: string): Uint8Array<ArrayBuffer> | undefined {
  const key = keyOf(sweepId, cost);
  const entry = entries.get(key);
  if (!entry || entry.fingerprint !== fingerprint) return undefined;
  // Map order is insertion order: re-inserting marks the entry as most recently used.
  entries.delete(key);
  entries.set(key, entry);
  return entry.json;
}

export function storeFront(sweepId: string, cost: string, fingerprint: string, json: Uint8Array<ArrayBuffer>): void {
  const key = keyOf(sweepId, cost);
  entries.delete(key);
  entries.set(key, { fingerprint, json });
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
}
