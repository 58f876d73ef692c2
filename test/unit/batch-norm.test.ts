import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/index.ts';
import { batchNormalization, FastBatchNormalization } from '../../src/models/batch-norm.ts';
import { buildSeedModel, SEED_MODEL_NAMES } from '../../src/models/index.ts';
import { cloneLayer } from '../../src/morphnet/rebuild.ts';

/**
 * The fast batch-norm layer against tfjs-layers' own BatchNormalization: same outputs, moving
 * statistics and gradients (x, gamma, beta) on the engine's wasm backend and on tfjs's cpu backend,
 * the same weights after a few training steps, and the fast class back after serialization.
 */

// One thread: the single-threaded wasm build (its memory is not shared); a child process below
// checks the threaded build, whose kernels see shared memory.
const engineReady = initEngine({ backend: 'wasm', threads: 1 });

/** Deterministic, not centred (mean offsets per channel) and not unit-scale data. */
function pseudoRandom(size: number, seed: number, offset = 0): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => offset + Math.sin(i * 12.9898 + seed * 78.233) * (1.5 + Math.cos(i * 0.61 + seed)));
}

function channelOffsets(shape: number[], seed: number): tf.Tensor {
  const channels = shape[shape.length - 1]!;
  const offsets = tf.tensor1d(Float32Array.from({ length: channels }, (_, c) => 3 * Math.sin(c + seed)));
  return tf.add(tf.tensor(pseudoRandom(shape.reduce((a, b) => a * b, 1), seed), shape), offsets);
}

/** Max |a - b| relative to max |b| (float32 tolerance for sums over thousands of terms). */
function assertClose(actual: tf.Tensor, expected: tf.Tensor, what: string, tolerance = 2e-5): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const b = expected.dataSync();
  let maxDifference = 0;
  let maxMagnitude = 1e-6;
  for (let i = 0; i < b.length; i++) {
    maxDifference = Math.max(maxDifference, Math.abs(a[i]! - b[i]!));
    maxMagnitude = Math.max(maxMagnitude, Math.abs(b[i]!));
  }
  assert.ok(maxDifference / maxMagnitude < tolerance, `${what}: relative difference ${maxDifference / maxMagnitude}`);
}

type Layer = tf.layers.Layer;

/** An original and a fast layer built on `shape` with identical, non-default weights. */
function layerPair(shape: number[], args: Parameters<typeof tf.layers.batchNormalization>[0] = {}): [Layer, Layer] {
  const original = tf.layers.batchNormalization(args);
  const fast = batchNormalization(args);
  original.build(shape);
  fast.build(shape);
  const weights = original.getWeights().map((w, i) => tf.tidy(() => tf.add(tf.mul(tf.tensor(pseudoRandom(w.size, 40 + i), w.shape), 0.4), 1)));
  original.setWeights(weights);
  fast.setWeights(weights);
  tf.dispose(weights);
  return [original, fast];
}

/** Output, gradients of sum(output * upstream) w.r.t. x, gamma and beta, and the weights after the call. */
function trainingCall(layer: Layer, x: tf.Tensor, upstream: tf.Tensor) {
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read());
  let output: tf.Tensor | undefined;
  const gradients = tf.grads((xIn: tf.Tensor, gammaIn: tf.Tensor, betaIn: tf.Tensor) => {
    void gammaIn;
    void betaIn;
    const y = layer.apply(xIn, { training: true }) as tf.Tensor;
    output = tf.keep(y.clone());
    return tf.sum(tf.mul(y, upstream));
  })([x, gamma!, beta!]);
  return { output: output!, gradients, weights: layer.getWeights() };
}

async function onBackends(body: () => void): Promise<void> {
  await engineReady;
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    body();
  }
  await tf.setBackend('wasm');
}

describe('FastBatchNormalization', () => {
  it('matches tfjs-layers in training mode: output, moving statistics and gradients', async () => {
    await onBackends(() => {
      // Channels % 4 == 0 run the engine's fused wasm loops (several chunks of rows for the last
      // two), others the composed ops.
      for (const shape of [
        [4, 5, 6, 3],
        [3, 7, 7, 16],
        [6, 5],
        [2, 3, 4],
        [7, 9, 9, 8],
        [2, 9, 9, 128],
      ]) {
        for (const args of [{}, { momentum: 0.9, epsilon: 1e-5 }]) {
          const [original, fast] = layerPair(shape, args);
          const x = channelOffsets(shape, 1);
          const upstream = tf.tensor(pseudoRandom(x.size, 2), shape);
          // tf.grads differentiates w.r.t. the variables' values, which is what the optimizer uses.
          const expected = trainingCall(original, x, upstream);
          const actual = trainingCall(fast, x, upstream);
          const label = `${tf.getBackend()} ${JSON.stringify(shape)} ${JSON.stringify(args)}`;
          assertClose(actual.output, expected.output, `${label} output`);
          ['dx', 'dgamma', 'dbeta'].forEach((name, i) => assertClose(actual.gradients[i]!, expected.gradients[i]!, `${label} ${name}`, 1e-4));
          ['gamma', 'beta', 'moving mean', 'moving variance'].forEach((name, i) =>
            assertClose(actual.weights[i]!, expected.weights[i]!, `${label} ${name} after the call`),
          );
          tf.dispose([x, upstream, expected.output, actual.output, ...expected.gradients, ...actual.gradients]);
        }
      }
    });
  });

  it('keeps the original path in inference mode and for a channel axis other than the last', async () => {
    await onBackends(() => {
      const shape = [3, 4, 5, 6];
      const x = channelOffsets(shape, 3);
      const [original, fast] = layerPair(shape);
      assertClose(fast.apply(x, { training: false }) as tf.Tensor, original.apply(x, { training: false }) as tf.Tensor, 'inference');
      const [originalAxis1, fastAxis1] = layerPair(shape, { axis: 1 });
      assertClose(fastAxis1.apply(x, { training: true }) as tf.Tensor, originalAxis1.apply(x, { training: true }) as tf.Tensor, 'axis 1');
      assertClose(fastAxis1.getWeights()[2]!, originalAxis1.getWeights()[2]!, 'axis 1 moving mean');
    });
  });

  it('runs the fused wasm passes when the channel count allows, the composed ops otherwise', async () => {
    await engineReady;
    const kernelsOfTrainingStep = async (shape: number[]) => {
      const [, fast] = layerPair(shape);
      const x = channelOffsets(shape, 4);
      const profile = await tf.profile(() => tf.grads((xIn: tf.Tensor) => tf.sum(fast.apply(xIn, { training: true }) as tf.Tensor))([x]));
      return profile.kernelNames;
    };
    const fused = await kernelsOfTrainingStep([2, 3, 3, 8]);
    for (const name of ['MorphSweepBatchNormVariance', 'MorphSweepBatchNormNormalize', 'MorphSweepBatchNormGradSums', 'MorphSweepBatchNormInputGrad']) {
      assert.ok(fused.includes(name), `${name} in ${fused.join(' ')}`);
    }
    assert.ok(!fused.includes('FusedBatchNorm'));
    const composed = await kernelsOfTrainingStep([2, 3, 3, 6]);
    assert.ok(!composed.some((name) => name.startsWith('MorphSweepBatchNorm')), composed.join(' '));
    assert.ok(composed.includes('FusedDepthwiseConv2D'));
  });

  it('matches tfjs-layers on the threaded wasm build too (shared memory)', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import { initEngine } from './src/engine/index.ts';
      import { batchNormalization } from './src/models/batch-norm.ts';
      const info = await initEngine({ backend: 'wasm', threads: 2 });
      const shape = [4, 6, 6, 12];
      const x = tf.add(tf.randomNormal(shape, 0, 2, 'float32', 1), tf.linspace(-3, 3, 12));
      const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
      const run = (layer) => {
        layer.build(shape);
        const [gamma, beta] = layer.trainableWeights.map((w) => w.read());
        const grads = tf.grads((xIn, g, b) => layer.apply(xIn, { training: true }))([x, gamma, beta], dy);
        return [layer.apply(x, { training: true }), ...grads, ...layer.getWeights()];
      };
      const expected = run(tf.layers.batchNormalization({}));
      const actual = run(batchNormalization({}));
      const relative = expected.map((e, i) => tf.max(tf.abs(tf.sub(actual[i], e))).dataSync()[0] / Math.max(1e-6, tf.max(tf.abs(e)).dataSync()[0]));
      console.log(JSON.stringify({ threads: info.threads, relative }));
    `;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, MORPHSWEEP_BACKEND: '', MORPHSWEEP_THREADS: '' },
    });
    const { threads, relative } = JSON.parse(output.trim().split('\n').at(-1)!) as { threads: number; relative: number[] };
    assert.equal(threads, 2);
    assert.equal(relative.length, 8);
    for (const difference of relative) assert.ok(difference < 1e-4, `relative differences ${relative}`);
  });

  it('leaks no tensors in a training step', async () => {
    await engineReady;
    const shape = [2, 3, 3, 4];
    const [, fast] = layerPair(shape);
    const x = channelOffsets(shape, 5);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((xIn: tf.Tensor) => tf.sum(fast.apply(xIn, { training: true }) as tf.Tensor))([x]);
    });
    assert.equal(tf.memory().numTensors, before);
    // Training mode without a gradient tape (e.g. a forward pass that only updates statistics).
    tf.tidy(() => {
      fast.apply(x, { training: true });
    });
    assert.equal(tf.memory().numTensors, before);
  });

  it('trains a small conv net to the same weights as tfjs-layers batch norm', async () => {
    await onBackends(() => {
      const build = (bn: (args: { name: string }) => Layer) => {
        const input = tf.input({ shape: [6, 6, 2] });
        let x = tf.layers
          .conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: 7 }) })
          .apply(input) as tf.SymbolicTensor;
        x = bn({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
        x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
        x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
        const logits = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }).apply(x);
        return tf.model({ inputs: input, outputs: logits as tf.SymbolicTensor });
      };
      const images = tf.tensor4d(pseudoRandom(8 * 6 * 6 * 2, 9, 0.5), [8, 6, 6, 2]);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 1, 0], 'int32'), 3);
      const train = (model: tf.LayersModel) => {
        const optimizer = tf.train.adam(0.05);
        for (let step = 0; step < 4; step++) {
          const loss = optimizer.minimize(
            () => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor) as tf.Scalar,
            true,
          );
          loss?.dispose();
        }
        optimizer.dispose();
        return model.getWeights();
      };
      const expected = train(build((args) => tf.layers.batchNormalization(args)));
      const actual = train(build((args) => batchNormalization(args)));
      expected.forEach((weight, i) => assertClose(actual[i]!, weight, `${tf.getBackend()} weight ${i} after 4 steps`, 1e-4));
    });
  });

  it('round-trips through serialization and cloning as the fast class named BatchNormalization', async () => {
    await engineReady;
    const model = buildSeedModel('reference-cnn', { inputShape: [8, 8, 1], numClasses: 3, gated: true });
    const restored = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) } as tf.io.ModelJSON);
    for (const candidate of [model, restored]) {
      const batchNorms = candidate.layers.filter((l) => l.getClassName() === 'BatchNormalization');
      assert.equal(batchNorms.length, 3);
      assert.ok(batchNorms.every((l) => l instanceof FastBatchNormalization));
    }
    assert.ok(cloneLayer(model.getLayer('bn2') as Layer) instanceof FastBatchNormalization);
    assert.deepEqual(model.getLayer('bn1').getConfig(), tf.layers.batchNormalization({ name: 'bn1' }).getConfig());
  });

  it('is the batch norm of every seed network', async () => {
    await engineReady;
    for (const name of SEED_MODEL_NAMES) {
      const model = buildSeedModel(name, { inputShape: [8, 8, 1], numClasses: 3 });
      const batchNorms = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
      assert.ok(batchNorms.length > 0, name);
      assert.ok(batchNorms.every((l) => l instanceof FastBatchNormalization), name);
    }
  });
});
