import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { clearDatasetCache, type Dataset, DatasetError, loadDataset } from '../../src/data/index.ts';

// Small IDX and CIFAR files written here, with every image's first byte holding its index, so each
// loaded example can be traced back to the exact record it came from.

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'morphsweep-data-formats-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirCounter = 0;
async function freshDir(): Promise<string> {
  const dir = join(root, `case-${dirCounter++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

function idxBytes(dims: number[], payload: Uint8Array, typeCode = 0x08): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, typeCode);
  header.setUint8(3, dims.length);
  dims.forEach((size, axis) => header.setUint32(4 + 4 * axis, size, false));
  const bytes = new Uint8Array(header.byteLength + payload.length);
  bytes.set(new Uint8Array(header.buffer), 0);
  bytes.set(payload, header.byteLength);
  return bytes;
}

/** Pixel j of image i is (i + 3j) mod 256, so byte 0 of every image is its index. */
function tracedImages(count: number, pixelsPerImage: number): Uint8Array {
  const pixels = new Uint8Array(count * pixelsPerImage);
  for (let i = 0; i < count; i++) for (let j = 0; j < pixelsPerImage; j++) pixels[i * pixelsPerImage + j] = (i + 3 * j) % 256;
  return pixels;
}

function labelOf(index: number, numClasses: number): number {
  return (index * 7) % numClasses;
}

interface IdxSetOptions {
  trainCount?: number;
  testCount?: number;
  side?: number;
  numClasses?: number;
  gzip?: boolean;
  names?: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
}

const STANDARD_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

async function writeIdxSet(dir: string, options: IdxSetOptions = {}): Promise<typeof STANDARD_NAMES> {
  const { trainCount = 40, testCount = 12, side = 4, numClasses = 10, gzip = false } = options;
  const names = options.names ?? STANDARD_NAMES;
  const encode = (bytes: Uint8Array) => (gzip ? gzipSync(bytes) : bytes);
  const suffix = gzip ? '.gz' : '';
  const labels = (count: number) => Uint8Array.from({ length: count }, (_, i) => labelOf(i, numClasses));
  await writeFile(join(dir, names.trainImages + suffix), encode(idxBytes([trainCount, side, side], tracedImages(trainCount, side * side))));
  await writeFile(join(dir, names.trainLabels + suffix), encode(idxBytes([trainCount], labels(trainCount))));
  await writeFile(join(dir, names.testImages + suffix), encode(idxBytes([testCount, side, side], tracedImages(testCount, side * side))));
  await writeFile(join(dir, names.testLabels + suffix), encode(idxBytes([testCount], labels(testCount))));
  const withSuffix = (name: string) => name + suffix;
  return {
    trainImages: withSuffix(names.trainImages),
    trainLabels: withSuffix(names.trainLabels),
    testImages: withSuffix(names.testImages),
    testLabels: withSuffix(names.testLabels),
  };
}

/** Undoes the standardization and the [0,1] scaling: the original byte of one loaded value. */
function originalByte(dataset: Dataset, value: number, channel: number): number {
  const { meanPerChannel, stdPerChannel } = dataset.normalization;
  return Math.round((value * stdPerChannel[channel] + meanPerChannel[channel]) * 255) + 0; // + 0 turns -0 into 0
}

/** Asserts every example of the split is an untouched copy of record `index` (read from byte 0). */
function assertTracedSplit(dataset: Dataset, split: Dataset['train'], numClasses: number): number[] {
  const [height, width, channels] = dataset.inputShape;
  const pixelsPerImage = height * width * channels;
  const indices: number[] = [];
  for (let example = 0; example < split.count; example++) {
    const image = split.images.subarray(example * pixelsPerImage, (example + 1) * pixelsPerImage);
    const index = originalByte(dataset, image[0], 0);
    for (let j = 0; j < pixelsPerImage; j++) assert.equal(originalByte(dataset, image[j], 0), (index + 3 * j) % 256);
    assert.equal(split.labels[example], labelOf(index, numClasses));
    indices.push(index);
  }
  return indices;
}

describe('mnist-idx', () => {
  for (const gzip of [false, true]) {
    test(`loads ${gzip ? 'gzipped' : 'plain'} IDX files exactly, with every record in exactly one split`, async () => {
      const dir = await freshDir();
      await writeIdxSet(dir, { gzip, trainCount: 40, testCount: 12, numClasses: 5 });
      const dataset = await loadDataset(`mnist-idx:${dir}`, { validationFraction: 0.25 });
      assert.equal(dataset.name, 'mnist-idx');
      assert.deepEqual(dataset.inputShape, [4, 4, 1]);
      assert.equal(dataset.numClasses, 5, 'largest label + 1');
      assert.equal(dataset.train.count, 30);
      assert.equal(dataset.validation.count, 10);
      assert.equal(dataset.test.count, 12);
      const poolOrder = [...assertTracedSplit(dataset, dataset.train, 5), ...assertTracedSplit(dataset, dataset.validation, 5)];
      const ascending = (indices: number[]) => [...indices].sort((a, b) => a - b);
      assert.deepEqual(ascending(poolOrder), Array.from({ length: 40 }, (_, i) => i));
      assert.notDeepEqual(poolOrder, ascending(poolOrder), 'the train pool is shuffled');
      const testOrder = assertTracedSplit(dataset, dataset.test, 5);
      assert.deepEqual(ascending(testOrder), Array.from({ length: 12 }, (_, i) => i));
    });
  }

  test('finds MNIST-family file names other than the standard ones (EMNIST style, dotted)', async () => {
    const dir = await freshDir();
    await writeIdxSet(dir, {
      names: {
        trainImages: 'emnist-letters-train-images-idx3-ubyte',
        trainLabels: 'emnist-letters-train-labels-idx1-ubyte',
        testImages: 'emnist-letters-test-images-idx3-ubyte',
        testLabels: 'emnist-letters-test-labels-idx1-ubyte',
      },
    });
    const dataset = await loadDataset(`mnist-idx:${dir}`);
    assert.equal(dataset.train.count + dataset.validation.count, 40);
    assert.equal(dataset.test.count, 12);

    const dotted = await freshDir();
    await writeIdxSet(dotted, {
      gzip: true,
      testCount: 9,
      names: {
        trainImages: 'train-images.idx3-ubyte',
        trainLabels: 'train-labels.idx1-ubyte',
        testImages: 't10k-images.idx3-ubyte',
        testLabels: 't10k-labels.idx1-ubyte',
      },
    });
    assert.equal((await loadDataset(`mnist-idx:${dotted}`)).test.count, 9);
  });

  test('prefers a decompressed copy over its .gz twin instead of calling it ambiguous', async () => {
    const dir = await freshDir();
    await writeIdxSet(dir, { gzip: true });
    await writeIdxSet(dir, { gzip: false });
    const dataset = await loadDataset(`mnist-idx:${dir}`);
    assert.equal(dataset.test.count, 12);
  });

  test('a spec directory with a colon in its name is taken whole', async () => {
    const dir = join(await freshDir(), 'with:colon');
    await mkdir(dir);
    await writeIdxSet(dir);
    const dataset = await loadDataset(`mnist-idx:${dir}`);
    assert.equal(dataset.test.count, 12);
  });
});

describe('fashion-mnist directory override', () => {
  test('fashion-mnist:<dir> and MORPHSWEEP_FASHION_MNIST_DIR both choose the directory', async () => {
    const dir = await freshDir();
    await writeIdxSet(dir, { gzip: true, numClasses: 10 });
    const fromSpec = await loadDataset(`fashion-mnist:${dir}`);
    assert.equal(fromSpec.name, 'fashion-mnist');
    assert.equal(fromSpec.numClasses, 10);
    assert.equal(fromSpec.classNames?.[9], 'Ankle boot');
    assert.equal(fromSpec.test.count, 12);

    const saved = process.env.MORPHSWEEP_FASHION_MNIST_DIR;
    process.env.MORPHSWEEP_FASHION_MNIST_DIR = dir;
    try {
      const fromEnv = await loadDataset('fashion-mnist');
      assert.equal(fromEnv.test.count, 12, 'read the small override files, not the 10000-image system set');
      assert.deepEqual(fromEnv.train.labels, fromSpec.train.labels);
    } finally {
      if (saved === undefined) delete process.env.MORPHSWEEP_FASHION_MNIST_DIR;
      else process.env.MORPHSWEEP_FASHION_MNIST_DIR = saved;
    }
  });

  test('a missing Fashion-MNIST file names the file and the package that installs it', async () => {
    const dir = await freshDir();
    const names = await writeIdxSet(dir, { gzip: true });
    await rm(join(dir, names.testLabels));
    await assert.rejects(loadDataset(`fashion-mnist:${dir}`), (error: Error) => {
      assert.ok(error instanceof DatasetError);
      assert.match(error.message, /t10k-labels-idx1-ubyte/);
      assert.match(error.message, /apt-get install dataset-fashion-mnist/);
      assert.match(error.message, /MORPHSWEEP_FASHION_MNIST_DIR/);
      return true;
    });
  });

  test('a label beyond the 10 Fashion-MNIST classes is rejected, naming the file', async () => {
    const dir = await freshDir();
    await writeIdxSet(dir, { numClasses: 12 });
    await assert.rejects(loadDataset(`fashion-mnist:${dir}`), /train-labels-idx1-ubyte contains label 11 but fashion-mnist has 10 classes/);
  });
});

describe('IDX validation errors', () => {
  async function expectIdxError(corrupt: (dir: string, names: typeof STANDARD_NAMES) => Promise<void>, pattern: RegExp) {
    const dir = await freshDir();
    const names = await writeIdxSet(dir);
    await corrupt(dir, names);
    await assert.rejects(loadDataset(`mnist-idx:${dir}`), (error: Error) => {
      assert.ok(error instanceof DatasetError, `expected a DatasetError, got ${error}`);
      assert.match(error.message, pattern);
      return true;
    });
  }

  test('bad magic number', () =>
    expectIdxError(
      (dir, names) => writeFile(join(dir, names.trainImages), Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0])),
      /train-images-idx3-ubyte is not an IDX file: bad magic number \(first bytes 50 4b 03 04/,
    ));

  test('truncated payload', () =>
    expectIdxError(
      (dir, names) => writeFile(join(dir, names.testImages), idxBytes([12, 4, 4], tracedImages(11, 16))),
      /t10k-images-idx3-ubyte is truncated: header says 12x4x4 \(192 bytes of data\) but only 176 follow/,
    ));

  test('truncated header', () =>
    expectIdxError(
      (dir, names) => writeFile(join(dir, names.testLabels), Uint8Array.from([0, 0, 8, 1, 0, 0])),
      /t10k-labels-idx1-ubyte is truncated: its header needs 8 bytes, the file has 6/,
    ));

  test('truncated gzip stream', async () => {
    const dir = await freshDir();
    const names = await writeIdxSet(dir, { gzip: true });
    const whole = gzipSync(idxBytes([40, 4, 4], tracedImages(40, 16)));
    await writeFile(join(dir, names.trainImages), whole.subarray(0, whole.length - 20));
    await assert.rejects(loadDataset(`mnist-idx:${dir}`), /train-images-idx3-ubyte\.gz is not a valid gzip file .*truncated or corrupt/);
  });

  test('bytes after the declared array', () =>
    expectIdxError(
      (dir, names) => writeFile(join(dir, names.trainLabels), idxBytes([40], new Uint8Array(41))),
      /train-labels-idx1-ubyte has 1 bytes after the 40 array/,
    ));

  test('label count differs from image count', () =>
    expectIdxError(
      (dir, names) => writeFile(join(dir, names.trainLabels), idxBytes([39], new Uint8Array(39))),
      /train-images-idx3-ubyte holds 40 images but .*train-labels-idx1-ubyte holds 39 labels/,
    ));

  test('a label file where images belong', () =>
    expectIdxError(
      (dir, names) => writeFile(join(dir, names.trainImages), idxBytes([40], new Uint8Array(40))),
      /train-images-idx3-ubyte has 1 dimensions, expected 3 or 4/,
    ));

  test('non-byte IDX element type', () =>
    expectIdxError(
      (dir, names) => writeFile(join(dir, names.trainLabels), idxBytes([10], new Uint8Array(40), 0x0c)),
      /train-labels-idx1-ubyte holds IDX int32 values; only unsigned-byte/,
    ));

  test('train and test images of different sizes', () =>
    expectIdxError(
      (dir, names) => writeFile(join(dir, names.testImages), idxBytes([12, 5, 5], tracedImages(12, 25))),
      /holds 4x4x1 images but .*t10k-images-idx3-ubyte holds 5x5x1/,
    ));

  test('two candidate image files in one directory', () =>
    expectIdxError(
      (dir) => writeFile(join(dir, 'kmnist-train-images-idx3-ubyte'), idxBytes([1, 4, 4], new Uint8Array(16))),
      /several files that could be train-images-idx3-ubyte\[\.gz\]: kmnist-train-images-idx3-ubyte, train-images-idx3-ubyte/,
    ));

  test('a missing file', () =>
    expectIdxError(
      (dir, names) => rm(join(dir, names.trainLabels)),
      /train-labels-idx1-ubyte\[\.gz\] not found .*Point mnist-idx:<dir> at a directory/,
    ));

  test('a missing directory, then the same spec loads once the files exist', async () => {
    const dir = join(await freshDir(), 'later');
    await assert.rejects(loadDataset(`mnist-idx:${dir}`), new RegExp(`dataset directory ${dir} does not exist`));
    await mkdir(dir);
    await writeIdxSet(dir);
    const dataset = await loadDataset(`mnist-idx:${dir}`);
    assert.equal(dataset.test.count, 12, 'a failed load is not cached');
  });

  test('mnist-idx without a directory', async () => {
    await assert.rejects(loadDataset('mnist-idx'), /dataset spec "mnist-idx" needs a directory, e.g. mnist-idx:/);
  });
});

describe('cifar10-bin', () => {
  const RECORD_BYTES = 3073;

  /** Record i: label labelOf(i, 10); red plane pixel p = (i + p) mod 256, green = red + 1, blue = red + 2. */
  function cifarBatch(firstIndex: number, count: number): Uint8Array {
    const bytes = new Uint8Array(count * RECORD_BYTES);
    for (let r = 0; r < count; r++) {
      const index = firstIndex + r;
      const record = bytes.subarray(r * RECORD_BYTES, (r + 1) * RECORD_BYTES);
      record[0] = labelOf(index, 10);
      for (let plane = 0; plane < 3; plane++) {
        for (let p = 0; p < 1024; p++) record[1 + plane * 1024 + p] = (index + p + plane) % 256;
      }
    }
    return bytes;
  }

  async function writeCifar(dir: string, batchSizes: number[], testCount: number): Promise<void> {
    let next = 0;
    for (const [i, size] of batchSizes.entries()) {
      await writeFile(join(dir, `data_batch_${i + 1}.bin`), cifarBatch(next, size));
      next += size;
    }
    await writeFile(join(dir, 'test_batch.bin'), cifarBatch(0, testCount));
  }

  function assertCifarSplit(dataset: Dataset, split: Dataset['train']): number[] {
    const indices: number[] = [];
    for (let example = 0; example < split.count; example++) {
      const image = split.images.subarray(example * 3072, (example + 1) * 3072);
      const index = originalByte(dataset, image[0], 0);
      for (let p = 0; p < 1024; p += 97) {
        for (let channel = 0; channel < 3; channel++) {
          assert.equal(originalByte(dataset, image[p * 3 + channel], channel), (index + p + channel) % 256, `NHWC layout at pixel ${p}`);
        }
      }
      assert.equal(split.labels[example], labelOf(index, 10));
      indices.push(index);
    }
    return indices.sort((a, b) => a - b);
  }

  test('reads every data batch in order and converts planes to NHWC', async () => {
    const dir = await freshDir();
    await writeCifar(dir, [6, 5, 4], 5);
    const dataset = await loadDataset(`cifar10-bin:${dir}`, { validationFraction: 0.2 });
    assert.equal(dataset.name, 'cifar10');
    assert.deepEqual(dataset.inputShape, [32, 32, 3]);
    assert.equal(dataset.numClasses, 10);
    assert.equal(dataset.classNames?.[0], 'airplane');
    assert.equal(dataset.train.count, 12);
    assert.equal(dataset.validation.count, 3);
    const pool = [...assertCifarSplit(dataset, dataset.train), ...assertCifarSplit(dataset, dataset.validation)];
    assert.deepEqual(pool.sort((a, b) => a - b), Array.from({ length: 15 }, (_, i) => i));
    assert.deepEqual(assertCifarSplit(dataset, dataset.test), [0, 1, 2, 3, 4]);
    assert.equal(dataset.normalization.meanPerChannel.length, 3);
  });

  test('accepts the extracted tarball directory and reads class names from batches.meta.txt', async () => {
    const dir = await freshDir();
    const inner = join(dir, 'cifar-10-batches-bin');
    await mkdir(inner);
    await writeCifar(inner, [4], 2);
    const names = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'];
    await writeFile(join(inner, 'batches.meta.txt'), names.join('\n') + '\n\n');
    const dataset = await loadDataset(`cifar10-bin:${dir}`);
    assert.deepEqual(dataset.classNames, names);
    assert.equal(dataset.test.count, 2);
  });

  test('a truncated batch names the file and the record size', async () => {
    const dir = await freshDir();
    await writeCifar(dir, [3, 3], 2);
    await writeFile(join(dir, 'data_batch_2.bin'), cifarBatch(0, 3).subarray(0, 3 * RECORD_BYTES - 1));
    await assert.rejects(loadDataset(`cifar10-bin:${dir}`), /data_batch_2\.bin is 9218 bytes, not a whole number of 3073-byte CIFAR-10 records/);
  });

  test('a label above 9 is rejected as not CIFAR-10', async () => {
    const dir = await freshDir();
    await writeCifar(dir, [3], 2);
    const batch = cifarBatch(0, 3);
    batch[RECORD_BYTES] = 57;
    await writeFile(join(dir, 'data_batch_1.bin'), batch);
    await assert.rejects(loadDataset(`cifar10-bin:${dir}`), /data_batch_1\.bin record 1 has label 57, CIFAR-10 has 10 classes/);
  });

  test('missing test batch and missing data batches say where to get CIFAR-10', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'data_batch_1.bin'), cifarBatch(0, 2));
    await assert.rejects(loadDataset(`cifar10-bin:${dir}`), /test_batch\.bin not found\. Download cifar-10-binary\.tar\.gz/);
    const empty = await freshDir();
    await assert.rejects(loadDataset(`cifar10-bin:${empty}`), /data_batch_1\.bin not found \(no data_batch_\*\.bin/);
  });
});

test('clearDatasetCache lets a changed file be read again', async () => {
  const dir = await freshDir();
  await writeIdxSet(dir, { testCount: 12 });
  assert.equal((await loadDataset(`mnist-idx:${dir}`)).test.count, 12);
  await writeIdxSet(dir, { testCount: 7 });
  assert.equal((await loadDataset(`mnist-idx:${dir}`)).test.count, 12, 'cached');
  clearDatasetCache();
  assert.equal((await loadDataset(`mnist-idx:${dir}`)).test.count, 7);
});
