/**
 * Run ids derive from (sweep, strength, threshold, seed) alone, so a retried workflow, a re-submitted
 * sweep or a continued-as-new execution names the same run the same way and never duplicates it.
 * Pure (workflow code calls it): a 64-bit FNV-1a over the exact float bits, no crypto module.
 */

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

function fnv1a64(bytes: Uint8Array): bigint {
  let hash = FNV_OFFSET;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function runIdFor(sweepId: string, point: { strength: number; threshold: number; seed: number }): string {
  const floats = new DataView(new ArrayBuffer(16));
  floats.setFloat64(0, point.strength);
  floats.setFloat64(8, point.threshold);
  const key = new Uint8Array([...utf8(`${sweepId}|${point.seed}|`), ...new Uint8Array(floats.buffer)]);
  return `${sweepId}-${fnv1a64(key).toString(16).padStart(16, '0')}`;
}
