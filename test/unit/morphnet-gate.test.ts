import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { buildSeedModel } from '../../src/models/index.ts';
import { addGates, gatesOf, gateSampleCounts, LogisticSigmoidGate, setGateSampleCounts } from '../../src/morphnet/index.ts';
import { chainModel } from '../support/morphnet-fixtures.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function builtGate(logits: number[], args: ConstructorParameters<typeof LogisticSigmoidGate>[0] = {}): LogisticSigmoidGate {
  const layer = new LogisticSigmoidGate(args);
  layer.apply(tf.input({ shape: [logits.length] }));
  layer.logitsVariable().assign(tf.tensor1d(logits));
  return layer;
}

describe('LogisticSigmoidGate', () => {
  it('starts at log-odds 2.5 and uses the deterministic mask 1[logit > 0] * sigmoid(logit) at inference', () => {
    const fresh = builtGate([0, 0]);
    assert.equal(fresh.logOddsInit, 2.5);
    const layer = builtGate([2, -1, 0.5]);
    const x = tf.tensor2d([[1, 1, 1], [2, 3, 4]]);
    const y = (layer.apply(x) as tf.Tensor).arraySync() as number[][];
    const expected = [[sigmoid(2), 0, sigmoid(0.5)], [2 * sigmoid(2), 0, 4 * sigmoid(0.5)]];
    y.flat().forEach((v, i) => assert.ok(Math.abs(v - expected.flat()[i]) < 1e-6));
    const hard = builtGate([2, -1], { softMaskForInference: false });
    assert.deepEqual(Array.from(hard.inferenceMask().dataSync()), [1, 0]);
  });

  it('samples near-binary masks with P(on) = sigmoid(logit) during training', () => {
    const channels = 4000;
    const p = 0.3;
    const layer = builtGate(new Array(channels).fill(Math.log(p / (1 - p))), { seed: 11 });
    const x = tf.ones([1, channels]);
    const mask = Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync());
    const mean = mask.reduce((a, b) => a + b, 0) / channels;
    // 4 standard errors of a Bernoulli(0.3) mean over 4000 draws is 0.029.
    assert.ok(Math.abs(mean - p) < 0.029, `mean ${mean}`);
    // Temperature 0.001 makes the relaxed sample almost always 0 or 1.
    const nearBinary = mask.filter((v) => v < 0.01 || v > 0.99).length / channels;
    assert.ok(nearBinary > 0.98, `near-binary fraction ${nearBinary}`);
    assert.equal(layer.samplesDrawn, 1);
  });

  it('repeats its noise for the same seed and sample count (checkpoint resume)', () => {
    const a = builtGate([0, 0, 0, 0, 0, 0], { seed: 5, temperature: 1 });
    const b = builtGate([0, 0, 0, 0, 0, 0], { seed: 5, temperature: 1 });
    const first = Array.from(a.sampleMask().dataSync());
    const second = Array.from(a.sampleMask().dataSync());
    assert.notDeepEqual(first, second);
    b.samplesDrawn = 1;
    assert.deepEqual(Array.from(b.sampleMask().dataSync()), second);
  });

  it('straight-through: hard forward values, relaxed gradient s(1 - s) / temperature', () => {
    const logits = [0.3, -0.2, 1.5, -2];
    const layer = builtGate(logits, { seed: 3, temperature: 1, straightThrough: true });
    const noise = tf.tidy(() => {
      const u = tf.randomUniform([4], 1e-6, 1 - 1e-6, 'float32', 3);
      return Array.from(tf.sub(tf.log(u), tf.log(tf.sub(1, u))).dataSync());
    });
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.sampleMask()) as tf.Scalar);
    assert.equal(value.dataSync()[0], logits.filter((l, i) => l + noise[i] > 0).length);
    const grad = Array.from(Object.values(grads)[0].dataSync());
    logits.forEach((l, i) => {
      const s = sigmoid(l + noise[i]);
      assert.ok(Math.abs(grad[i] - s * (1 - s)) < 1e-5);
    });
  });

  it('anneals the temperature 10x every annealingRate samples', () => {
    const layer = builtGate([1], { temperature: 0.5, annealingRate: 100 });
    layer.samplesDrawn = 200;
    assert.ok(Math.abs(layer.currentTemperature() - 0.005) < 1e-12);
  });

  it('serializes and loads back with its settings', async () => {
    const input = tf.input({ shape: [3] });
    const out = new LogisticSigmoidGate({ name: 'g', temperature: 0.01, straightThrough: true, annealingRate: 7, aliveProbability: 0.1 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const loaded = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
    const layer = loaded.getLayer('g') as LogisticSigmoidGate;
    assert.ok(layer instanceof LogisticSigmoidGate);
    assert.deepEqual([layer.temperature, layer.straightThrough, layer.annealingRate, layer.aliveProbability], [0.01, true, 7, 0.1]);
  });

  it('addGates with a seed seeds every gate apart, the same way each time', () => {
    const seedNetwork = buildSeedModel('reference-cnn', { inputShape: [8, 8, 1], numClasses: 3, widthMultiplier: 0.25 });
    const seedsOf = (model: tf.LayersModel) => gatesOf(model).map((g) => g.seed);
    const seeds = seedsOf(addGates(seedNetwork, { seed: 7 }));
    assert.equal(new Set(seeds).size, 3, `one seed per gate, got ${seeds}`);
    assert.deepEqual(seedsOf(addGates(seedNetwork, { seed: 7 })), seeds);
    assert.deepEqual(seedsOf(addGates(seedNetwork)), [null, null, null]);
  });

  it('addGates puts a gate after each conv BN (not the output), keeping weights; sample counts round-trip', () => {
    const model = chainModel();
    const gated = addGates(model);
    assert.deepEqual(gatesOf(gated).map((g) => g.name), ['bn1_gate']);
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 1);
    // Log-odds 2.5 > 0: the inference mask is sigmoid(2.5) on every channel.
    const original = (model.predict(x) as tf.Tensor).dataSync();
    assert.equal(gated.getLayer('conv1').getWeights()[0].dataSync()[0], model.getLayer('conv1').getWeights()[0].dataSync()[0]);
    assert.equal(gated.getLayer('logits').getWeights()[1].dataSync()[0], model.getLayer('logits').getWeights()[1].dataSync()[0]);
    assert.equal((gated.predict(x) as tf.Tensor).shape.join(), '2,3');
    assert.notDeepEqual(Array.from((gated.predict(x) as tf.Tensor).dataSync()), Array.from(original));
    setGateSampleCounts(gated, { bn1_gate: 42 });
    assert.deepEqual(gateSampleCounts(gated), { bn1_gate: 42 });
  });
});
