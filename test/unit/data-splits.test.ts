import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clearDatasetCache, type Dataset, DatasetError, describeDatasetSpecs, loadDataset, type Split } from '../../src/data/index.ts';

// Split planning, limits, normalization, caching and spec/option validation, on synthetic data
// (every synthetic image is distinct: random phase plus noise).

const SPEC = 'synthetic:classes=3,size=6,channels=3,train=200,test=50,seed=4';

/** The original bytes of one example, undoing standardization, so differently normalized loads compare. */
function originalImage(dataset: Dataset, split: Split, example: number): string {
  const [height, width, channels] = dataset.inputShape;
  const pixelsPerImage = height * width * channels;
  const { meanPerChannel, stdPerChannel } = dataset.normalization;
  const bytes = Array.from(split.images.subarray(example * pixelsPerImage, (example + 1) * pixelsPerImage), (value, i) =>
    Math.round((value * stdPerChannel[i % channels] + meanPerChannel[i % channels]) * 255),
  );
  return bytes.join(',');
}

function originalImages(dataset: Dataset, split: Split): string[] {
  return Array.from({ length: split.count }, (_, example) => originalImage(dataset, split, example));
}

describe('train/validation/test splits', () => {
  test('default options carve 10% validation from train and keep the whole test split', async () => {
    const dataset = await loadDataset(SPEC);
    assert.equal(dataset.validation.count, 20);
    assert.equal(dataset.train.count, 180);
    assert.equal(dataset.test.count, 50);
    assert.equal(dataset.spec, SPEC);
    assert.deepEqual(dataset.inputShape, [6, 6, 3]);
    assert.equal(dataset.train.images.length, 180 * 6 * 6 * 3);
    assert.equal(dataset.train.labels.length, 180);
  });

  test('train and validation are disjoint and together hold every training example once', async () => {
    const dataset = await loadDataset(SPEC, { validationFraction: 0.3 });
    const train = originalImages(dataset, dataset.train);
    const validation = originalImages(dataset, dataset.validation);
    assert.equal(validation.length, 60);
    const everything = new Set([...train, ...validation]);
    assert.equal(everything.size, 200, 'no example appears twice');
    const unsplit = await loadDataset(SPEC, { validationFraction: 0 });
    assert.equal(unsplit.validation.count, 0);
    assert.deepEqual(new Set(originalImages(unsplit, unsplit.train)), everything);
  });

  test('the same seed gives identical splits after the cache is cleared; another seed reorders them', async () => {
    const first = await loadDataset(SPEC, { seed: 7 });
    clearDatasetCache();
    const again = await loadDataset(SPEC, { seed: 7 });
    assert.notEqual(again, first, 'rebuilt, not cached');
    assert.deepEqual(again.train.images, first.train.images);
    assert.deepEqual(again.train.labels, first.train.labels);
    assert.deepEqual(again.validation.images, first.validation.images);
    assert.deepEqual(again.test.images, first.test.images);

    const other = await loadDataset(SPEC, { seed: 8 });
    assert.notDeepEqual(originalImages(other, other.validation), originalImages(first, first.validation));
    assert.notDeepEqual(originalImages(other, other.test), originalImages(first, first.test), 'test order follows the seed too');
  });

  test('limit takes the first N after the seeded shuffle, then carves validation from them', async () => {
    const full = await loadDataset(SPEC, { seed: 3, validationFraction: 0 });
    const limited = await loadDataset(SPEC, { seed: 3, validationFraction: 0, limit: { train: 60, test: 10 } });
    assert.equal(limited.train.count, 60);
    assert.equal(limited.test.count, 10);
    assert.deepEqual(originalImages(limited, limited.train), originalImages(full, full.train).slice(0, 60));
    assert.deepEqual(originalImages(limited, limited.test), originalImages(full, full.test).slice(0, 10));
    assert.deepEqual(new Set(limited.train.labels), new Set([0, 1, 2]), 'a shuffled prefix holds every class');

    const carved = await loadDataset(SPEC, { seed: 3, limit: { train: 60 } });
    assert.equal(carved.train.count + carved.validation.count, 60);
    assert.equal(carved.validation.count, 6);
    assert.deepEqual(
      [...originalImages(carved, carved.validation), ...originalImages(carved, carved.train)],
      originalImages(full, full.train).slice(0, 60),
    );

    const beyond = await loadDataset(SPEC, { limit: { train: 10_000, test: 10_000 } });
    assert.equal(beyond.train.count + beyond.validation.count, 200, 'a limit above the file size takes everything');
    assert.equal(beyond.test.count, 50);
  });
});

describe('normalization', () => {
  test('train split is standardized to mean 0 and std 1 per channel; other splits reuse its statistics', async () => {
    const dataset = await loadDataset(SPEC);
    const channels = dataset.inputShape[2];
    for (let channel = 0; channel < channels; channel++) {
      let sum = 0;
      let sumOfSquares = 0;
      let count = 0;
      for (let i = channel; i < dataset.train.images.length; i += channels) {
        sum += dataset.train.images[i];
        sumOfSquares += dataset.train.images[i] ** 2;
        count++;
      }
      const mean = sum / count;
      assert.ok(Math.abs(mean) < 1e-5, `channel ${channel} mean ${mean}`);
      assert.ok(Math.abs(Math.sqrt(sumOfSquares / count - mean * mean) - 1) < 1e-4, `channel ${channel} std`);
      const scaledMean = dataset.normalization.meanPerChannel[channel];
      assert.ok(scaledMean > 0.3 && scaledMean < 0.7, `statistics are taken after scaling to [0,1]: ${scaledMean}`);
    }
    // Undoing the train statistics must give back whole bytes for validation and test too.
    for (const split of [dataset.validation, dataset.test]) {
      for (const image of originalImages(dataset, split).slice(0, 5)) {
        for (const byte of image.split(',').map(Number)) assert.ok(byte >= 0 && byte <= 255);
      }
      const { meanPerChannel, stdPerChannel } = dataset.normalization;
      const value = split.images[0];
      const byte = (value * stdPerChannel[0] + meanPerChannel[0]) * 255;
      assert.ok(Math.abs(byte - Math.round(byte)) < 1e-3, 'validation/test are normalized with the train statistics');
    }
  });
});

describe('cache', () => {
  test('equal spec and options share one dataset, also when loads overlap and defaults are spelled out', async () => {
    const spec = 'synthetic:classes=2,size=4,train=40,test=8,seed=11';
    const [a, b] = await Promise.all([loadDataset(spec), loadDataset(spec)]);
    assert.equal(a, b);
    assert.equal(await loadDataset(spec, { seed: 0, validationFraction: 0.1, limit: {} }), a);
    assert.notEqual(await loadDataset(spec, { seed: 1 }), a);
  });
});

describe('bad specs and options', () => {
  const rejectsWith = async (promise: Promise<unknown>, pattern: RegExp) =>
    assert.rejects(promise, (error: Error) => {
      assert.ok(error instanceof DatasetError, `expected a DatasetError, got ${error}`);
      assert.match(error.message, pattern);
      return true;
    });

  test('an unknown spec lists the supported ones', async () => {
    await rejectsWith(loadDataset('imagenet'), /unknown dataset spec "imagenet"\. Supported specs:\n.*fashion-mnist.*\n.*mnist-idx:<dir>.*\n.*cifar10-bin:<dir>.*\n.*npz:<file\.npz>.*\n.*synthetic/);
  });

  test('describeDatasetSpecs names every kind', () => {
    const text = describeDatasetSpecs();
    for (const kind of ['fashion-mnist', 'mnist-idx:<dir>', 'cifar10-bin:<dir>', 'synthetic', 'MORPHSWEEP_FASHION_MNIST_DIR']) {
      assert.ok(text.includes(kind), `missing ${kind}`);
    }
  });

  test('bad synthetic parameters say which key and list the valid ones', async () => {
    await rejectsWith(loadDataset('synthetic:classes=3,colour=red'), /Unrecognized key: "colour".*keys classes \(2-12/);
    await rejectsWith(loadDataset('synthetic:classes=many'), /classes: .*number/);
    await rejectsWith(loadDataset('synthetic:classes=40'), /classes: Too big/);
    await rejectsWith(loadDataset('synthetic:size'), /"size" is not key=value/);
    await rejectsWith(loadDataset('synthetic:seed=1,seed=2'), /seed is given twice/);
  });

  test('bad load options say what is expected', async () => {
    await rejectsWith(loadDataset(SPEC, { seed: -1 }), /bad load options .*seed: .*Expected \{ seed\?: integer >= 0/);
    await rejectsWith(loadDataset(SPEC, { validationFraction: 1 }), /validationFraction: /);
    await rejectsWith(loadDataset(SPEC, { limit: { train: 0 } }), /limit\.train: /);
    await rejectsWith(loadDataset(SPEC, { shuffle: true } as never), /Unrecognized key: "shuffle"/);
    await rejectsWith(
      loadDataset(SPEC, { limit: { train: 1 }, validationFraction: 0.5 }),
      /a train pool of 1 examples with validationFraction 0\.5 leaves no training examples; raise limit\.train/,
    );
  });
});
