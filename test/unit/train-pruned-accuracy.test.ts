import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../src/data/index.ts';
import { createNetworkRegularizer } from '../../src/morphnet/index.ts';
import { buildReferenceCnn } from '../../src/models/reference-cnn.ts';
import { evaluate, learnStructure, retrain } from '../../src/train/index.ts';
import { buildTinyCnn, setUpTinyTraining } from './train-fixtures.ts';

/**
 * A Gamma or GroupLasso point's accuracy must be that of the network at the point's cost. The
 * reference: the trained network cut down by hand to its surviving channels (weights copied), which
 * is the pruned network itself. Before dead channels were switched off, learnStructure reported the
 * full trained seed's accuracy.
 */

let dataset: Dataset;
before(async () => {
  dataset = await setUpTinyTraining();
});

const LAYERS = [1, 2, 3] as const;

function weightOf(model: tf.LayersModel, layerName: string, suffix: string): tf.Tensor {
  const weight = model.getLayer(layerName).weights.find((w) => w.originalName.endsWith(`/${suffix}`));
  assert.ok(weight, `${layerName} has no ${suffix}`);
  return weight.read();
}

/** Indices of the channels of bn1..bn3 whose |gamma| exceeds the threshold (GammaFlops's alive rule). */
function survivors(model: tf.LayersModel, threshold: number): number[][] {
  return LAYERS.map((i) => {
    const gammas = weightOf(model, `bn${i}`, 'gamma').dataSync();
    return Array.from(gammas.keys()).filter((channel) => Math.abs(gammas[channel]) > threshold);
  });
}

/** The reference CNN with only the surviving channels, every remaining weight copied. */
function cutDown(trained: tf.LayersModel, alive: number[][]): tf.LayersModel {
  const pruned = buildReferenceCnn({
    inputShape: dataset.inputShape,
    numClasses: dataset.numClasses,
    widths: alive.map((channels) => channels.length) as [number, number, number],
  });
  tf.tidy(() => {
    LAYERS.forEach((i, index) => {
      const out = tf.tensor1d(alive[index], 'int32');
      let kernel = tf.gather(weightOf(trained, `conv${i}`, 'kernel'), out, 3);
      if (index > 0) kernel = tf.gather(kernel, tf.tensor1d(alive[index - 1], 'int32'), 2);
      pruned.getLayer(`conv${i}`).setWeights([kernel]);
      const bn = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((name) => tf.gather(weightOf(trained, `bn${i}`, name), out));
      pruned.getLayer(`bn${i}`).setWeights(bn);
    });
    const lastAlive = tf.tensor1d(alive[2], 'int32');
    pruned.getLayer('logits').setWeights([tf.gather(weightOf(trained, 'logits', 'kernel'), lastAlive, 0), weightOf(trained, 'logits', 'bias')]);
  });
  return pruned;
}

describe('structure-learning accuracy of Gamma points', () => {
  it('is the accuracy of the pruned network, not of the trained seed', async () => {
    const model = buildTinyCnn(dataset);
    await retrain({ model, dataset, steps: 60, batchSize: 32, optimizer: 'sgd', learningRate: 0.1, evalEvery: 1000 });
    // A threshold in the middle of the trained gammas: about half the channels are dead but carry signal.
    const allGammas = LAYERS.flatMap((i) => Array.from(weightOf(model, `bn${i}`, 'gamma').dataSync(), Math.abs)).sort((a, b) => a - b);
    const threshold = allGammas[Math.floor(allGammas.length / 2)];
    const alive = survivors(model, threshold);
    assert.ok(alive.every((channels) => channels.length > 0), `a whole layer died: ${alive.map((c) => c.length)}`);

    const regularizer = createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'flops', threshold });
    // One step with a negligible learning rate: the gammas (and so the structure) stay as measured.
    const result = await learnStructure({
      model,
      dataset,
      regularizer,
      strength: 0,
      steps: 1,
      batchSize: 32,
      optimizer: 'sgd',
      learningRate: 1e-12,
      evalEvery: 1000,
    });
    assert.deepEqual(Object.values(result.aliveCounts).slice(0, 3), alive.map((channels) => channels.length));

    const pruned = cutDown(model, alive);
    const prunedValidation = evaluate(pruned, dataset, 'validation', { recalibrateBatchNorm: true });
    const prunedTest = evaluate(pruned, dataset, 'test', { recalibrateBatchNorm: false });
    const seedValidation = evaluate(model, dataset, 'validation', { recalibrateBatchNorm: true });
    // The check below only means something if cutting the channels changes the accuracy.
    assert.notEqual(prunedValidation.accuracy, seedValidation.accuracy, 'the dead channels carry no signal here: pick another threshold');
    const oneExample = 1 / prunedValidation.count;
    assert.ok(
      Math.abs(result.valAccuracy! - prunedValidation.accuracy) <= oneExample,
      `validation accuracy ${result.valAccuracy} is not the pruned network's ${prunedValidation.accuracy} (the seed's is ${seedValidation.accuracy})`,
    );
    assert.ok(Math.abs(result.testAccuracy - prunedTest.accuracy) <= 1 / prunedTest.count);
    regularizer.dispose();
    model.dispose();
    pruned.dispose();
  });

  it('leaves the trained weights as they were after each evaluation', async () => {
    const model = buildTinyCnn(dataset);
    const regularizer = createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'flops', threshold: 0.9 });
    // Gammas start at 1; setting some below the threshold makes dead channels without training.
    const gamma = model.getLayer('bn2').weights.find((w) => w.originalName.endsWith('/gamma'))!;
    gamma.write(tf.tensor1d([0.5, 1, 0.5, 1, 1, 1, 1, 0.2]));
    const before = model.weights.map((w) => Array.from(w.read().dataSync()));
    const restore = regularizer.switchOffDeadChannels();
    assert.deepEqual(Array.from(gamma.read().dataSync()), [0, 1, 0, 1, 1, 1, 1, 0]);
    restore();
    // Moving statistics are not touched by the switch; everything else comes back exactly.
    assert.deepEqual(model.weights.map((w) => Array.from(w.read().dataSync())), before);
    regularizer.dispose();
    model.dispose();
  });
});
