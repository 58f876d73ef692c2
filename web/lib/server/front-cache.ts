import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

/**
 * Serialized fronts by (sweep, cost axis), each with the fingerprint of the rows it was built from.
 * A 10,000-run front is over a megabyte of JSON and most reads repeat while nothing changed (every
 * dashboard tab polls it), so a fingerprint match skips the big query and the serialization, and the
 * gzip copy is made once per fingerprint rather than by the server's compression on every answer
 * (that alone cost ~30 ms of CPU per request at 10,000 points).
 */

const MAX_ENTRIES = 32;
const gzipAsync = promisify(gzip);

export interface CachedFront {
  fingerprint: string;
  /** UTF-8 bytes, encoded once rather than on every answer. */
  json: Uint8Array<ArrayBuffer>;
  /** The same bytes gzipped, made on the first request that accepts gzip (in the thread pool). */
  gzipped?: Promise<Uint8Array<ArrayBuffer>>;
}

const entries = new Map<string, CachedFront>();

function keyOf(sweepId: string, cost: string): string {
  return `${sweepId}\u0000${cost}`;
}

export function cachedFront(sweepId: string, cost: string, fingerprint: string): CachedFront | undefined {
  const key = keyOf(sweepId, cost);
  const entry = entries.get(key);
  if (!entry || entry.fingerprint !== fingerprint) return undefined;
  // Map order is insertion order: re-inserting marks the entry as most recently used.
  entries.delete(key);
  entries.set(key, entry);
  return entry;
}

export function storeFront(sweepId: string, cost: string, fingerprint: string, json: Uint8Array<ArrayBuffer>): CachedFront {
  const key = keyOf(sweepId, cost);
  const entry: CachedFront = { fingerprint, json };
  entries.delete(key);
  entries.set(key, entry);
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  return entry;
}

/** The gzip copy of an entry; concurrent first requests share one compression. */
export function gzippedFront(entry: CachedFront): Promise<Uint8Array<ArrayBuffer>> {
  entry.gzipped ??= gzipAsync(entry.json).then((buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) as Uint8Array<ArrayBuffer>);
  // A failed compression is retried by the next request instead of being remembered.
  entry.gzipped.catch(() => (entry.gzipped = undefined));
  return entry.gzipped;
}
