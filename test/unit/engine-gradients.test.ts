import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/index.ts';

/**
 * End to end: the gradients of a small conv net (strided conv, batch norm, depthwise conv with a
 * depth multiplier, dense) on the engine's wasm backend equal those of tfjs's cpu backend.
 */

function buildNet(): tf.LayersModel {
  const input = tf.input({ shape: [9, 10, 3] });
  const layers = [
    tf.layers.conv2d({
      filters: 6,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
    }),
    tf.layers.batchNormalization(),
    tf.layers.reLU(),
    tf.layers.depthwiseConv2d({
      kernelSize: 3,
      strides: 2,
      depthMultiplier: 2,
      padding: 'same',
      depthwiseInitializer: tf.initializers.heNormal({ seed: 2 }),
    }),
    tf.layers.conv2d({ filters: 5, kernelSize: 1, kernelInitializer: tf.initializers.heNormal({ seed: 3 }) }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
  ];
  const logits = layers.reduce<tf.SymbolicTensor>((x, layer) => layer.apply(x) as tf.SymbolicTensor, input);
  return tf.model({ inputs: input, outputs: logits });
}

function gradients(model: tf.LayersModel, images: Float32Array, labels: number[]): Map<string, Float32Array> {
  const grads = tf.tidy(() => {
    const x = tf.tensor4d(images, [6, 9, 10, 3]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
    return tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    ).grads;
  });
  const values = new Map(Object.entries(grads).map(([name, g]) => [name, g.dataSync() as Float32Array]));
  tf.dispose(grads);
  return values;
}

test('a small conv net has the same gradients on wasm as on cpu', async () => {
  await initEngine({ backend: 'wasm' });
  const model = buildNet();
  const images = Float32Array.from({ length: 6 * 9 * 10 * 3 }, (_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i));
  const labels = [0, 1, 2, 3, 1, 2];
  const onWasm = gradients(model, images, labels);
  await tf.setBackend('cpu');
  const onCpu = gradients(model, images, labels);
  await tf.setBackend('wasm');

  assert.equal(onWasm.size, model.trainableWeights.length);
  for (const [name, expected] of onCpu) {
    const actual = onWasm.get(name)!;
    let maxDiff = 0;
    let maxExpected = 0;
    expected.forEach((value, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - value));
      maxExpected = Math.max(maxExpected, Math.abs(value));
    });
    assert.ok(maxExpected > 0, `gradient of ${name} is all zeros; the check would be vacuous`);
    assert.ok(maxDiff / maxExpected < 1e-4, `${name}: relative error ${(maxDiff / maxExpected).toExponential(2)}`);
  }
});

test("ReLU's gradient on wasm (one SIMD pass and a scalar tail) equals cpu's, zeros and negatives included", async () => {
  await initEngine({ backend: 'wasm' });
  // 7 x 5 = 35 values: 32 in SIMD lanes, 3 in the tail; every fifth input is exactly 0.
  const x = Float32Array.from({ length: 35 }, (_, i) => (i % 5 === 0 ? 0 : Math.sin(i * 1.7)));
  const dy = Float32Array.from({ length: 35 }, (_, i) => Math.cos(i * 0.9) + 2);
  const reluGradient = () =>
    tf.tidy(() => tf.grad((input: tf.Tensor) => tf.relu(input))(tf.tensor2d(x, [7, 5]), tf.tensor2d(dy, [7, 5])).dataSync());
  const onWasm = reluGradient();
  await tf.setBackend('cpu');
  const onCpu = reluGradient();
  await tf.setBackend('wasm');
  assert.deepEqual(Array.from(onWasm), Array.from(onCpu));
  assert.ok(onCpu.some((value) => value === 0) && onCpu.some((value) => value > 0));
});
