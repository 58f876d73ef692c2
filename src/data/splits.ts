import { DatasetError } from './errors.ts';
import type { ResolvedLoadOptions } from './options.ts';
import { mixSeed, SEED_PURPOSE, seededPermutation } from './random.ts';
import type { RawDataset } from './types.ts';

/** Which raw examples make up each split, in the order they will be stored. */
export interface SplitIndices {
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
}

/**
 * Shuffles the training file with the seed, keeps the first `limit.train` as the pool and carves the
 * validation set off the pool's front; the test set is shuffled with its own stream and cut to
 * `limit.test`. The same (seed, fraction, limits) always give the same indices.
 */
export function planSplits(raw: RawDataset, spec: string, options: ResolvedLoadOptions): SplitIndices {
  const trainOrder = seededPermutation(raw.train.count, mixSeed(SEED_PURPOSE.trainSplit, options.seed));
  const pool = trainOrder.subarray(0, Math.min(raw.train.count, options.limit.train ?? Infinity));
  const validationCount = Math.round(pool.length * options.validationFraction);
  if (pool.length - validationCount < 1) {
    throw new DatasetError(
      `dataset "${spec}": a train pool of ${pool.length} examples with validationFraction ${options.validationFraction} ` +
        'leaves no training examples; raise limit.train or lower validationFraction.',
    );
  }
  const testOrder = seededPermutation(raw.test.count, mixSeed(SEED_PURPOSE.testSubset, options.seed));
  return {
    validation: pool.slice(0, validationCount),
    train: pool.slice(validationCount),
    test: testOrder.slice(0, Math.min(raw.test.count, options.limit.test ?? Infinity)),
  };
}
