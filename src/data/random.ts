/**
 * Seeded randomness for splits, shuffles and synthetic data. Math.random is never used here:
 * every order must be reproducible from (seed, purpose), so a resumed run sees the same batches.
 */

/** Mixes 32-bit words into one well-spread 32-bit seed (murmur3's finalizer over a running hash). */
export function mixSeed(...words: number[]): number {
  let hash = 0x9e3779b9;
  for (const word of words) {
    hash = Math.imul(hash ^ (word >>> 0), 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
  }
  return hash >>> 0;
}

/** Domain tags keep the split shuffle, the epoch orders and the synthetic generator independent. */
export const SEED_PURPOSE = {
  trainSplit: 0x5154_0001,
  testSubset: 0x5154_0002,
  epochOrder: 0x5154_0003,
  synthetic: 0x5154_0004,
  initializers: 0x5154_0005,
  addedGates: 0x5154_0006,
} as const;

/** mulberry32: tiny, fast, and good enough for shuffling and noise (not for cryptography). */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples from a uniform source (Box-Muller; the second sample is dropped for simplicity). */
export function createNormalRng(uniform: () => number): () => number {
  return () => {
    const u1 = 1 - uniform(); // in (0, 1], so log() stays finite
    const u2 = uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
}

/** A Fisher-Yates permutation of 0..count-1 determined only by `seed`. */
export function seededPermutation(count: number, seed: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const uniform = createRng(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const held = order[i];
    order[i] = order[j];
    order[j] = held;
  }
  return order;
}
