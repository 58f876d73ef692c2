import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../src/data/index.ts';

// The real Debian dataset-fashion-mnist files; set-up installs them, so their absence is a failure.

test('loads the real Fashion-MNIST: 60000/10000 images of 28x28x1 in 10 balanced classes', async (t) => {
  const startedMs = performance.now();
  const dataset = await loadDataset('fashion-mnist', { validationFraction: 0 });
  const loadMs = performance.now() - startedMs;
  t.diagnostic(`full Fashion-MNIST load (gunzip, parse, shuffle, normalize): ${loadMs.toFixed(0)} ms`);

  assert.equal(dataset.name, 'fashion-mnist');
  assert.deepEqual(dataset.inputShape, [28, 28, 1]);
  assert.equal(dataset.numClasses, 10);
  assert.equal(dataset.classNames?.[0], 'T-shirt/top');
  assert.equal(dataset.train.count, 60000);
  assert.equal(dataset.test.count, 10000);
  assert.equal(dataset.train.images.length, 60000 * 784);
  assert.equal(dataset.test.images.length, 10000 * 784);

  // Fashion-MNIST has exactly 6000 training and 1000 test images per class.
  const perClass = (labels: Int32Array) => labels.reduce((counts, label) => (counts[label]++, counts), new Array(10).fill(0));
  assert.deepEqual(perClass(dataset.train.labels), new Array(10).fill(6000));
  assert.deepEqual(perClass(dataset.test.labels), new Array(10).fill(1000));

  // The published statistics of the training images scaled to [0,1]: mean 0.2860, std 0.3530.
  assert.ok(Math.abs(dataset.normalization.meanPerChannel[0] - 0.286) < 5e-4, `mean ${dataset.normalization.meanPerChannel[0]}`);
  assert.ok(Math.abs(dataset.normalization.stdPerChannel[0] - 0.353) < 5e-4, `std ${dataset.normalization.stdPerChannel[0]}`);
});

test('a limited load of the real data keeps every class in a small validation split', async () => {
  const dataset = await loadDataset('fashion-mnist', { seed: 1, limit: { train: 2000, test: 500 } });
  assert.equal(dataset.train.count, 1800);
  assert.equal(dataset.validation.count, 200);
  assert.equal(dataset.test.count, 500);
  assert.equal(new Set(dataset.validation.labels).size, 10);
  assert.equal(new Set(dataset.test.labels).size, 10);
});
