import { readFile } from 'node:fs/promises';
import { DatasetError } from './errors.ts';
import { parseNpz, type NpyArray } from './npz.ts';
import type { RawDataset, RawSplit } from './types.ts';

/**
 * `npz:PATH`: a NumPy .npz with the layout of `keras.datasets` (x_train, y_train, x_test, y_test),
 * what a notebook already holds. Images uint8 (0..255) or float32 in any scale, NHWC or NHW (one
 * channel); labels integers 0..classes-1, shape (N,) or (N, 1). Every problem is reported at once.
 */

export const NPZ_KEYS = ['x_train', 'y_train', 'x_test', 'y_test'] as const;
const INTEGER_DTYPES = new Set(['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'int64', 'uint64']);
const SAVE_HINT = 'np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)';

export async function loadNpzDataset(path: string): Promise<RawDataset> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DatasetError(
      `cannot read the .npz dataset ${path}: ${(error as Error).message}. Every worker reads this path: put the file on storage all workers share`,
    );
  }
  return npzDatasetOf(parseNpz(bytes, path), path);
}

interface SplitArrays {
  images: NpyArray;
  labels: NpyArray;
}

export function npzDatasetOf(arrays: Map<string, NpyArray>, path: string): RawDataset {
  const missing = NPZ_KEYS.filter((key) => !arrays.has(key));
  if (missing.length > 0) {
    throw new DatasetError(
      `${path} lacks ${missing.join(', ')} (it holds ${[...arrays.keys()].join(', ') || 'no arrays'}); save it with ${SAVE_HINT}`,
    );
  }
  const problems: string[] = [];
  const train: SplitArrays = { images: arrays.get('x_train')!, labels: arrays.get('y_train')! };
  const test: SplitArrays = { images: arrays.get('x_test')!, labels: arrays.get('y_test')! };
  const trainShape = checkImages('x_train', train.images, problems);
  const testShape = checkImages('x_test', test.images, problems);
  if (trainShape && testShape && trainShape.join('x') !== testShape.join('x')) {
    problems.push(`x_train images are ${trainShape.join('x')} (HxWxC) but x_test images are ${testShape.join('x')}; both splits need one image shape`);
  }
  if (train.images.dtype !== test.images.dtype && problems.length === 0) {
    problems.push(`x_train is ${train.images.dtype} but x_test is ${test.images.dtype}; give both the same dtype`);
  }
  const trainLabels = checkLabels('y_train', train.labels, train.images.shape[0], 'x_train', problems);
  const testLabels = checkLabels('y_test', test.labels, test.images.shape[0], 'x_test', problems);
  let numClasses = 0;
  if (trainLabels && testLabels) {
    numClasses = maxOf(trainLabels) + 1;
    if (numClasses < 2) problems.push(`y_train holds a single class (0); a classifier needs at least two`);
    const testMax = maxOf(testLabels);
    if (testMax >= numClasses) {
      problems.push(`y_test holds class ${testMax} but y_train's classes are 0..${numClasses - 1}; every test class must appear in training`);
    }
  }
  if (problems.length > 0) {
    throw new DatasetError(`${path} is not a usable dataset (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    name: `npz:${path}`,
    inputShape: trainShape!,
    numClasses,
    train: splitOf(train.images, trainLabels!),
    test: splitOf(test.images, testLabels!),
  };
}

function checkImages(key: string, images: NpyArray, problems: string[]): [number, number, number] | undefined {
  let dtypeOk = true;
  if (images.dtype !== 'uint8' && images.dtype !== 'float32') {
    problems.push(
      `${key} has dtype ${images.dtype} (${images.descr}); images must be uint8 (0..255) or float32: ` +
        `${key}.astype(np.float32)${images.dtype === 'float64' ? '' : ' or .astype(np.uint8)'}`,
    );
    dtypeOk = false;
  }
  const rank = images.shape.length;
  if (rank !== 3 && rank !== 4) {
    problems.push(`${key} has shape (${images.shape.join(', ')}); images must be (N, H, W, C) channels-last, or (N, H, W) for one channel`);
    return undefined;
  }
  if (images.shape[0] === 0) problems.push(`${key} holds no images`);
  const [, height, width, channels = 1] = images.shape;
  if (rank === 4 && channels > 4 && height! <= 4) {
    problems.push(`${key} has shape (${images.shape.join(', ')}), which looks channels-first; transpose it to NHWC: ${key}.transpose(0, 2, 3, 1)`);
    return undefined;
  }
  if (dtypeOk && images.data instanceof Float32Array) {
    const bad = images.data.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) problems.push(`${key} holds a non-finite value (${images.data[bad]}) at flat index ${bad}; images must be finite`);
  }
  return [height!, width!, channels];
}

function checkLabels(key: string, labels: NpyArray, imageCount: number | undefined, imageKey: string, problems: string[]): Int32Array | undefined {
  const shape = labels.shape;
  const flat = shape.length === 1 || (shape.length === 2 && shape[1] === 1);
  if (!flat) {
    problems.push(`${key} has shape (${shape.join(', ')}); labels must be (N,) or (N, 1) integer class indices (not one-hot: use ${key}.argmax(1))`);
    return undefined;
  }
  if (imageCount !== undefined && shape[0] !== imageCount) {
    problems.push(`${key} has ${shape[0]} labels but ${imageKey} has ${imageCount} images; give one label per image`);
  }
  if (!INTEGER_DTYPES.has(labels.dtype)) {
    problems.push(`${key} has dtype ${labels.dtype} (${labels.descr}); labels must be integers: ${key}.astype(np.int64)`);
    return undefined;
  }
  const values = Int32Array.from(labels.data as ArrayLike<number | bigint>, (value) => Number(value));
  const negative = values.findIndex((value) => value < 0);
  if (negative >= 0) {
    problems.push(`${key} holds label ${values[negative]} at index ${negative}; labels are class indices 0..classes-1`);
    return undefined;
  }
  return values;
}

function maxOf(values: Int32Array): number {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  return max;
}

function splitOf(images: NpyArray, labels: Int32Array): RawSplit {
  return { pixels: images.data as Uint8Array | Float32Array, labels, count: labels.length };
}
