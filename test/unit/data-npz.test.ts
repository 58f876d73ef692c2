import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clearDatasetCache, DatasetError, loadDataset } from '../../src/data/index.ts';
import { runNumpy } from '../support/numpy.ts';

// Every file here is written by NumPy itself (np.savez / np.savez_compressed).

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'morphsweep-npz-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let fileCounter = 0;
/** Writes an .npz from Python expressions for each key; returns its path. */
function writeNpz(arrays: Record<string, string>, save = 'savez'): string {
  const path = join(root, `case-${fileCounter++}.npz`);
  const entries = Object.entries(arrays).map(([key, expression]) => `${key}=${expression}`).join(', ');
  runNumpy(`rng = np.random.default_rng(0)\nnp.${save}(${JSON.stringify(path)}, ${entries})`);
  return path;
}

const GOOD = {
  x_train: '(np.arange(20*4*4*3) % 256).astype(np.uint8).reshape(20, 4, 4, 3)',
  y_train: 'np.arange(20) % 3',
  x_test: '(np.arange(6*4*4*3) % 256).astype(np.uint8).reshape(6, 4, 4, 3)',
  y_test: 'np.array([0, 1, 2, 0, 1, 2], dtype=np.uint8).reshape(6, 1)',
};

async function loadProblem(path: string): Promise<string> {
  clearDatasetCache();
  const error = await loadDataset(`npz:${path}`, { validationFraction: 0 }).then(
    () => assert.fail('expected a DatasetError'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof DatasetError, String(error));
  return error.message;
}

describe('npz datasets', () => {
  for (const save of ['savez', 'savez_compressed']) {
    test(`np.${save}: uint8 NHWC images and int labels load with their values`, async () => {
      const path = writeNpz(GOOD, save);
      clearDatasetCache();
      const dataset = await loadDataset(`npz:${path}`, { validationFraction: 0, seed: 0 });
      assert.deepEqual(dataset.inputShape, [4, 4, 3]);
      assert.equal(dataset.numClasses, 3);
      assert.equal(dataset.train.count, 20);
      assert.equal(dataset.test.count, 6);
      assert.deepEqual([...dataset.test.labels].sort(), [0, 0, 1, 1, 2, 2]);
      // Standardized per channel: each channel of the train split has mean ~0.
      const sums = [0, 0, 0];
      dataset.train.images.forEach((value, i) => (sums[i % 3] += value));
      for (const sum of sums) assert.ok(Math.abs(sum / (20 * 16)) < 1e-4, `channel mean ${sum / 320}`);
    });
  }

  test('float32 NHW images get one channel and keep their order through the split', async () => {
    const path = writeNpz({
      x_train: 'np.arange(10*2*2, dtype=np.float32).reshape(10, 2, 2) * 0.5 - 3',
      y_train: 'np.array([0, 1] * 5, dtype=np.int64)',
      x_test: 'np.zeros((2, 2, 2), dtype=np.float32)',
      y_test: 'np.array([1, 0], dtype=np.int32)',
    });
    clearDatasetCache();
    const dataset = await loadDataset(`npz:${path}`, { validationFraction: 0, seed: 0 });
    assert.deepEqual(dataset.inputShape, [2, 2, 1]);
    assert.equal(dataset.numClasses, 2);
    const { meanPerChannel, stdPerChannel } = dataset.normalization;
    // Values are i * 0.5 - 3 for i in 0..39: mean 6.75, std 0.5 * sqrt((40^2 - 1) / 12).
    assert.ok(Math.abs(meanPerChannel[0]! - 6.75) < 1e-9);
    assert.ok(Math.abs(stdPerChannel[0]! - 0.5 * Math.sqrt((40 * 40 - 1) / 12)) < 1e-9);
  });

  test('missing keys are named, with the keys the file holds', async () => {
    const message = await loadProblem(writeNpz({ x_train: GOOD.x_train, y_train: GOOD.y_train, images: GOOD.x_test }));
    assert.match(message, /lacks x_test, y_test \(it holds x_train, y_train, images\)/);
    assert.match(message, /np\.savez\(path, x_train=x_train/);
  });

  test('wrong dtypes, shapes, counts and label ranges are all listed at once', async () => {
    const message = await loadProblem(
      writeNpz({
        x_train: 'np.zeros((20, 4, 4, 3), dtype=np.float64)',
        y_train: 'np.eye(3)[np.arange(20) % 3]',
        x_test: 'np.zeros((6, 5, 4, 3), dtype=np.uint8)',
        y_test: 'np.array([0, 1, 2, 0, 1], dtype=np.float32)',
      }),
    );
    assert.match(message, /5 problems/);
    assert.match(message, /x_train images are 4x4x3 \(HxWxC\) but x_test images are 5x4x3/);
    assert.match(message, /y_test has 5 labels but x_test has 6 images/);
    assert.match(message, /x_train has dtype float64 \(<f8\); images must be uint8 \(0\.\.255\) or float32: x_train\.astype\(np\.float32\)/);
    assert.match(message, /y_train has shape \(20, 3\); labels must be \(N,\) or \(N, 1\) .*argmax/);
    assert.match(message, /y_test has dtype float32 .* labels must be integers: y_test\.astype\(np\.int64\)/);
  });

  test('label counts, negative labels and test classes unseen in training', async () => {
    const counts = await loadProblem(writeNpz({ ...GOOD, y_train: 'np.arange(19) % 3' }));
    assert.match(counts, /y_train has 19 labels but x_train has 20 images/);
    const negative = await loadProblem(writeNpz({ ...GOOD, y_test: 'np.array([0, 1, -1, 0, 1, 2])' }));
    assert.match(negative, /y_test holds label -1 at index 2/);
    const unseen = await loadProblem(writeNpz({ ...GOOD, y_test: 'np.array([0, 1, 3, 0, 1, 2])' }));
    assert.match(unseen, /y_test holds class 3 but y_train's classes are 0\.\.2/);
    const shapes = await loadProblem(writeNpz({ ...GOOD, x_test: 'np.zeros((6, 5, 4, 3), dtype=np.uint8)' }));
    assert.match(shapes, /x_train images are 4x4x3 \(HxWxC\) but x_test images are 5x4x3/);
    const channelsFirst = await loadProblem(writeNpz({ ...GOOD, x_train: 'np.zeros((20, 3, 8, 8), dtype=np.uint8)' }));
    assert.match(channelsFirst, /looks channels-first; transpose it to NHWC/);
    const nonFinite = await loadProblem(writeNpz({ ...GOOD, x_train: 'np.full((20, 4, 4, 3), np.nan, dtype=np.float32)', x_test: 'np.zeros((6, 4, 4, 3), dtype=np.float32)' }));
    assert.match(nonFinite, /x_train holds a non-finite value \(NaN\)/);
  });

  test('a file that is no zip, or missing, says so', async () => {
    const notZip = join(root, 'plain.npy');
    runNumpy(`np.save(${JSON.stringify(notZip)}, np.zeros(3))`);
    assert.match(await loadProblem(notZip), /is not a NumPy \.npz file NumPy wrote \(no zip end-of-central-directory record\)/);
    assert.match(await loadProblem(join(root, 'absent.npz')), /cannot read the \.npz dataset .*absent\.npz.*storage all workers share/);
  });
});
