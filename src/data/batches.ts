import * as tf from '@tensorflow/tfjs';
import { DatasetError } from './errors.ts';
import { mixSeed, SEED_PURPOSE, seededPermutation } from './random.ts';
import type { Dataset, Split } from './types.ts';

/**
 * The order of a split's examples in one epoch: a permutation fixed by (seed, epoch), so a run
 * resumed from a checkpoint at (epoch, step) sees exactly the batches it would have seen.
 */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  for (const [name, value] of [['count', count], ['seed', seed], ['epoch', epoch]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new DatasetError(`epochOrder: ${name} must be a non-negative integer, got ${value}.`);
    }
  }
  // Seeds and epochs may exceed 32 bits in principle; fold both halves into the mix.
  const high = (value: number) => Math.floor(value / 2 ** 32);
  return seededPermutation(count, mixSeed(SEED_PURPOSE.epochOrder, seed, high(seed), epoch, high(epoch)));
}

/**
 * Copies the examples at `indices` of `split` into one image tensor (NHWC) and one one-hot float32
 * label tensor. Exactly two tensors are created and nothing else is kept, so a caller that disposes
 * them (or wraps the step in tf.tidy) leaks no memory.
 */
export function gatherBatch(
  dataset: Dataset,
  split: Split,
  indices: ArrayLike<number>,
): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const [height, width, channels] = dataset.inputShape;
  const pixelsPerImage = height * width * channels;
  if (split.images.length !== split.count * pixelsPerImage) {
    throw new DatasetError(
      `gatherBatch: the split holds ${split.images.length} values, not ${split.count} images of ` +
        `${dataset.inputShape.join('x')}; pass a split of the same dataset.`,
    );
  }
  const batchSize = indices.length;
  const images = new Float32Array(batchSize * pixelsPerImage);
  const oneHot = new Float32Array(batchSize * dataset.numClasses);
  for (let row = 0; row < batchSize; row++) {
    const example = indices[row];
    if (!Number.isInteger(example) || example < 0 || example >= split.count) {
      throw new DatasetError(`gatherBatch: index ${example} at position ${row} is outside the split's 0..${split.count - 1}.`);
    }
    images.set(split.images.subarray(example * pixelsPerImage, (example + 1) * pixelsPerImage), row * pixelsPerImage);
    oneHot[row * dataset.numClasses + split.labels[example]] = 1;
  }
  return {
    xs: tf.tensor4d(images, [batchSize, height, width, channels], 'float32'),
    ys: tf.tensor2d(oneHot, [batchSize, dataset.numClasses], 'float32'),
  };
}
