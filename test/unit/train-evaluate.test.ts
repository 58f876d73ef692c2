import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { gatherBatch, type Dataset } from '../../src/data/index.ts';
import { evaluate, recalibrateBatchNorm, retrain } from '../../src/train/index.ts';
import { buildTinyCnn, setUpTinyTraining } from './train-fixtures.ts';

let dataset: Dataset;
before(async () => {
  dataset = await setUpTinyTraining();
});

function allIndices(count: number): Uint32Array {
  return Uint32Array.from({ length: count }, (_, i) => i);
}

/** Mean and biased variance per channel of a layer's output over the first `count` training images. */
function outputStatistics(model: tf.LayersModel, layerName: string, count: number) {
  return tf.tidy(() => {
    const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer(layerName).output as tf.SymbolicTensor });
    const { xs } = gatherBatch(dataset, dataset.train, allIndices(count));
    const { mean, variance } = tf.moments(probe.predict(xs) as tf.Tensor, [0, 1, 2]);
    return { mean: Array.from(mean.dataSync()), variance: Array.from(variance.dataSync()) };
  });
}

function movingStatistics(model: tf.LayersModel, bnName: string) {
  const [, , movingMean, movingVariance] = model.getLayer(bnName).getWeights();
  return { mean: Array.from(movingMean.dataSync()), variance: Array.from(movingVariance.dataSync()) };
}

function assertClose(actual: number[], expected: number[], what: string) {
  actual.forEach((value, i) => {
    const tolerance = 1e-4 * Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(value - expected[i]) <= tolerance, `${what}[${i}]: ${value} vs ${expected[i]}`);
  });
}

async function brieflyTrainedModel(): Promise<tf.LayersModel> {
  const model = buildTinyCnn(dataset);
  // Without recalibration the moving averages (momentum 0.99) still mostly hold their initial 0/1.
  await retrain({ model, dataset, steps: 15, batchSize: 32, learningRate: 0.05, evalEvery: 1000, recalibrateBatchNorm: false });
  return model;
}

describe('batch-norm recalibration', () => {
  it('sets each layer\'s moving statistics to the exact statistics of its input, layer after layer', async () => {
    const model = await brieflyTrainedModel();
    const calibrationSamples = 120; // batches of 50, 50, 20: a partial batch must weigh less
    const stale = movingStatistics(model, 'bn1');
    const expectedBn1 = outputStatistics(model, 'conv1', calibrationSamples);
    assert.ok(
      stale.mean.some((value, i) => Math.abs(value - expectedBn1.mean[i]) > 1e-3),
      'the stale moving mean already matched; the test could not tell recalibration happened',
    );

    const recalibrated = recalibrateBatchNorm(model, dataset, { calibrationSamples, batchSize: 50 });
    assert.deepEqual(recalibrated, ['bn1', 'bn2', 'bn3']);
    assertClose(movingStatistics(model, 'bn1').mean, expectedBn1.mean, 'bn1 mean');
    assertClose(movingStatistics(model, 'bn1').variance, expectedBn1.variance, 'bn1 variance');
    // bn2 sees conv2's output as produced through the already recalibrated bn1.
    const expectedBn2 = outputStatistics(model, 'conv2', calibrationSamples);
    assertClose(movingStatistics(model, 'bn2').mean, expectedBn2.mean, 'bn2 mean');
    assertClose(movingStatistics(model, 'bn2').variance, expectedBn2.variance, 'bn2 variance');
  });

  it('changes what evaluation measures, and only when asked to', async () => {
    const model = await brieflyTrainedModel();
    const before = movingStatistics(model, 'bn3');
    const stale = evaluate(model, dataset, 'validation', { recalibrateBatchNorm: false });
    assert.deepEqual(movingStatistics(model, 'bn3'), before, 'evaluating without recalibration changed the model');
    const fresh = evaluate(model, dataset, 'validation', { recalibrateBatchNorm: true, calibrationSamples: 192 });
    assert.notEqual(fresh.loss, stale.loss);
    assert.notDeepEqual(movingStatistics(model, 'bn3'), before);
  });
});

describe('evaluate', () => {
  it('reports the accuracy and mean loss of the whole split, across uneven batches', async () => {
    const model = await brieflyTrainedModel();
    const { accuracy, loss, count } = evaluate(model, dataset, 'test', { batchSize: 24 });
    const expected = tf.tidy(() => {
      const { xs, ys } = gatherBatch(dataset, dataset.test, allIndices(dataset.test.count));
      const logits = model.predict(xs) as tf.Tensor;
      const predicted = tf.argMax(logits, -1).dataSync();
      const correct = predicted.filter((label, i) => label === dataset.test.labels[i]).length;
      return { accuracy: correct / dataset.test.count, loss: tf.losses.softmaxCrossEntropy(ys, logits).dataSync()[0] };
    });
    assert.equal(count, dataset.test.count);
    assert.equal(accuracy, expected.accuracy);
    assert.ok(Math.abs(loss - expected.loss) < 1e-5, `loss ${loss} vs ${expected.loss}`);

    const firstTen = evaluate(model, dataset, 'test', { batchSize: 4, maxExamples: 10 });
    const predictedFirstTen = tf.tidy(() =>
      tf.argMax(model.predict(gatherBatch(dataset, dataset.test, allIndices(10)).xs) as tf.Tensor, -1).dataSync(),
    );
    assert.equal(firstTen.count, 10);
    assert.equal(firstTen.accuracy, predictedFirstTen.filter((label, i) => label === dataset.test.labels[i]).length / 10);
  });

  it('works on a model without batch norm', () => {
    const input = tf.input({ shape: dataset.inputShape });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: dataset.numClasses }).apply(flat) as tf.SymbolicTensor });
    assert.deepEqual(recalibrateBatchNorm(model, dataset, { calibrationSamples: 64, batchSize: 32 }), []);
    const { accuracy } = evaluate(model, dataset, 'validation', { recalibrateBatchNorm: true });
    assert.ok(accuracy >= 0 && accuracy <= 1);
  });
});
