import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/index.ts';
import { conv2d, LazyGradientConv2D } from '../../src/models/conv2d.ts';
import { cloneLayer } from '../../src/morphnet/rebuild.ts';

/**
 * The lazy-gradient Conv2D against tfjs-layers' own: same outputs and weight gradients, no input
 * gradient computed for a first layer, and the class back after serialization.
 */

const engineReady = initEngine({ backend: 'wasm', threads: 1 });

function twoConvNet(build: typeof conv2d | typeof tf.layers.conv2d): tf.LayersModel {
  const input = tf.input({ shape: [9, 8, 2] });
  const first = build({ name: 'first', filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: 1 }) });
  const second = build({ name: 'second', filters: 3, kernelSize: 3, padding: 'valid', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: 2 }) });
  const output = second.apply(tf.layers.reLU().apply(first.apply(input))) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.flatten().apply(output) as tf.SymbolicTensor });
}

const imageValues = Float32Array.from({ length: 3 * 9 * 8 * 2 }, (_, i) => Math.sin(i * 0.7) + 0.3 * Math.cos(i * 1.3));

function lossAndGradients(model: tf.LayersModel): { loss: number; gradients: Float32Array[] } {
  const images = tf.tensor4d(imageValues, [3, 9, 8, 2]);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.apply(images, { training: true }) as tf.Tensor)) as tf.Scalar);
  const gradients = model.trainableWeights.map((weight) => grads[weight.name]!.dataSync() as Float32Array);
  const loss = value.dataSync()[0]!;
  tf.dispose([images, value, grads]);
  return { loss, gradients };
}

test('outputs and weight gradients equal those of tfjs-layers Conv2D', async () => {
  await engineReady;
  const ours = twoConvNet(conv2d);
  const original = twoConvNet(tf.layers.conv2d);
  original.setWeights(ours.getWeights());
  assert.ok(ours.layers.some((layer) => layer instanceof LazyGradientConv2D));
  assert.ok(!original.layers.some((layer) => layer instanceof LazyGradientConv2D));
  const expected = lossAndGradients(original);
  const actual = lossAndGradients(ours);
  assert.ok(expected.loss > 0);
  assert.equal(actual.loss, expected.loss);
  assert.equal(actual.gradients.length, 2);
  actual.gradients.forEach((gradient, i) => assert.deepEqual(Array.from(gradient), Array.from(expected.gradients[i]!)));
});

test("a first layer's input gradient is not computed; a later layer's is", async () => {
  await engineReady;
  const inputGradientRuns = async (model: tf.LayersModel) => {
    const profile = await tf.profile(() => void lossAndGradients(model));
    return profile.kernels.filter((kernel) => kernel.name === 'Conv2DBackpropInput').length;
  };
  assert.equal(await inputGradientRuns(twoConvNet(tf.layers.conv2d)), 2);
  assert.equal(await inputGradientRuns(twoConvNet(conv2d)), 1);
});

test('serialized and cloned layers come back as the lazy-gradient class', async () => {
  await engineReady;
  const model = twoConvNet(conv2d);
  const restored = await tf.models.modelFromJSON(model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] as never);
  assert.ok(restored.getLayer('first') instanceof LazyGradientConv2D);
  assert.equal(restored.getLayer('first').getClassName(), 'Conv2D');
  assert.ok(cloneLayer(tf.layers.conv2d({ filters: 2, kernelSize: 1 })) instanceof LazyGradientConv2D);
});
