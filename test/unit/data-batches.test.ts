import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { type Dataset, DatasetError, epochOrder, gatherBatch, loadDataset } from '../../src/data/index.ts';

const SPEC = 'synthetic:classes=4,size=5,channels=2,train=150,test=30,seed=2';

before(async () => {
  await tf.setBackend('cpu'); // these tests only move data
});

describe('epochOrder', () => {
  test('is a permutation fixed by (seed, epoch)', () => {
    const order = epochOrder(100, 5, 3);
    assert.equal(order.length, 100);
    assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
    assert.deepEqual(epochOrder(100, 5, 3), order, 'a resumed run recomputes the same order');
    assert.notDeepEqual(epochOrder(100, 5, 4), order, 'each epoch reshuffles');
    assert.notDeepEqual(epochOrder(100, 6, 3), order, 'each seed reshuffles');
    assert.notDeepEqual(order, Uint32Array.from({ length: 100 }, (_, i) => i));
    assert.equal(epochOrder(0, 1, 0).length, 0);
  });

  test('epoch numbers past 32 bits still give distinct orders', () => {
    assert.notDeepEqual(epochOrder(50, 1, 2 ** 32), epochOrder(50, 1, 0));
  });

  test('rejects counts, seeds and epochs that are not non-negative integers', () => {
    assert.throws(() => epochOrder(-1, 0, 0), (error: Error) => error instanceof DatasetError && /count must be a non-negative integer, got -1/.test(error.message));
    assert.throws(() => epochOrder(10, 1.5, 0), /seed must be a non-negative integer, got 1.5/);
    assert.throws(() => epochOrder(10, 0, Number.NaN), /epoch must be a non-negative integer, got NaN/);
  });
});

describe('gatherBatch', () => {
  let dataset: Dataset;
  before(async () => {
    dataset = await loadDataset(SPEC);
  });

  test('copies the chosen rows into an NHWC tensor and one-hot float32 labels', () => {
    const indices = [7, 0, 133, 7];
    const tensorsBefore = tf.memory().numTensors;
    const { xs, ys } = gatherBatch(dataset, dataset.train, indices);
    assert.equal(tf.memory().numTensors, tensorsBefore + 2, 'exactly the two returned tensors exist');
    try {
      assert.deepEqual(xs.shape, [4, 5, 5, 2]);
      assert.deepEqual(ys.shape, [4, 4]);
      assert.equal(xs.dtype, 'float32');
      assert.equal(ys.dtype, 'float32');
      const pixels = xs.dataSync();
      const oneHot = ys.dataSync();
      const pixelsPerImage = 5 * 5 * 2;
      indices.forEach((example, row) => {
        assert.deepEqual(
          pixels.subarray(row * pixelsPerImage, (row + 1) * pixelsPerImage),
          dataset.train.images.subarray(example * pixelsPerImage, (example + 1) * pixelsPerImage),
        );
        const expected = [0, 0, 0, 0];
        expected[dataset.train.labels[example]] = 1;
        assert.deepEqual(Array.from(oneHot.subarray(row * 4, row * 4 + 4)), expected);
      });
    } finally {
      xs.dispose();
      ys.dispose();
    }
    assert.equal(tf.memory().numTensors, tensorsBefore);
  });

  test('accepts a slice of an epoch order and works on the test split', () => {
    const order = epochOrder(dataset.test.count, 1, 0);
    const { xs, ys } = gatherBatch(dataset, dataset.test, order.subarray(10, 26));
    assert.equal(xs.shape[0], 16);
    assert.deepEqual(Array.from(ys.argMax(1).dataSync()), Array.from(order.subarray(10, 26), (i) => dataset.test.labels[i]));
    tf.dispose([xs, ys]);
  });

  test('tensor count and bytes stay flat over an epoch of batches', () => {
    const batchSize = 16;
    const order = epochOrder(dataset.train.count, 0, 0);
    // One warm-up batch, so lazily created backend state is not counted as a leak.
    tf.tidy(() => gatherBatch(dataset, dataset.train, order.subarray(0, batchSize)).xs.sum());
    const before = tf.memory();
    let batches = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      tf.tidy(() => {
        const { xs, ys } = gatherBatch(dataset, dataset.train, order.subarray(start, start + batchSize));
        xs.mean().add(ys.sum()).dataSync();
      });
      assert.equal(tf.memory().numTensors, before.numTensors, `after batch ${batches}`);
      batches++;
    }
    assert.equal(batches, Math.ceil(dataset.train.count / batchSize));
    assert.equal(tf.memory().numBytes, before.numBytes);
  });

  test('an index outside the split is an error, not a silent zero image', () => {
    const tensorsBefore = tf.memory().numTensors;
    assert.throws(() => gatherBatch(dataset, dataset.test, [0, 30]), (error: Error) =>
      error instanceof DatasetError && /index 30 at position 1 is outside the split's 0\.\.29/.test(error.message),
    );
    assert.throws(() => gatherBatch(dataset, dataset.test, [1.5]), /index 1.5 at position 0/);
    assert.throws(() => gatherBatch(dataset, dataset.test, [-1]), /index -1 at position 0/);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'nothing allocated on failure');
  });

  test('a split of another dataset is rejected', async () => {
    const other = await loadDataset('synthetic:classes=4,size=6,channels=2,train=20,test=5');
    assert.throws(() => gatherBatch(dataset, other.train, [0]), /not 18 images of 5x5x2; pass a split of the same dataset/);
  });
});
