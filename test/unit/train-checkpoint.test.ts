import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../src/data/index.ts';
import {
  checkpointFromRecord,
  checkpointToRecord,
  CorruptCheckpointError,
  deserializeCheckpoint,
  InvalidTrainingSetupError,
  learnStructure,
  retrain,
  serializeCheckpoint,
  type NoiseSeededLayer,
  type TrainCheckpoint,
  type TrainProgress,
} from '../../src/train/index.ts';
import { restoreCheckpoint } from '../../src/train/checkpoint.ts';
import { buildReferenceCnn } from '../../src/models/reference-cnn.ts';
import { buildSeedModel } from '../../src/models/index.ts';
import { createNetworkRegularizer } from '../../src/morphnet/index.ts';
import { buildTinyCnn, memoryCheckpointStore, setUpTinyTraining, weightValues } from './train-fixtures.ts';

let dataset: Dataset;
before(async () => {
  dataset = await setUpTinyTraining();
});

/**
 * Multiplies each channel by 1 + uniform noise while training, drawing only from the seed the loop
 * hands it: the behaviour the FiGS gate must have for resumes to repeat the uninterrupted run.
 */
class SeededChannelNoise extends tf.layers.Layer implements NoiseSeededLayer {
  static className = 'SeededChannelNoise';
  private noiseSeed: number | null = null;
  readonly stepsSeeded: number[] = [];

  setNoiseSeed(seed: number, step: number): void {
    this.noiseSeed = seed;
    this.stepsSeeded.push(step);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training) return tf.clone(x);
    if (this.noiseSeed === null) throw new Error('SeededChannelNoise trained without a seed from the loop');
    const channels = x.shape[x.shape.length - 1] as number;
    return tf.tidy(() => tf.mul(x, tf.add(1, tf.mul(0.5, tf.randomUniform([channels], -1, 1, 'float32', this.noiseSeed!)))));
  }
}

function buildNoisyCnn(initSeed: number): { model: tf.LayersModel; noise: SeededChannelNoise } {
  const input = tf.input({ shape: dataset.inputShape });
  let x = tf.layers
    .conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: initSeed }) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  const noise = new SeededChannelNoise({});
  x = noise.apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: dataset.numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: initSeed + 1 }) })
    .apply(x) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: input, outputs: logits }), noise };
}

const OPTIMIZERS = ['momentum', 'adam', 'rmsprop', 'sgd'] as const;
const RUN = { steps: 12, batchSize: 32, learningRate: 0.02, seed: 5, evalEvery: 5 } as const;

describe('checkpoint resume', () => {
  for (const optimizer of OPTIMIZERS) {
    it(`with ${optimizer}: resuming from a stored checkpoint repeats the uninterrupted run bit for bit`, async () => {
      const uninterrupted = buildNoisyCnn(1);
      const firstEvents: TrainProgress[] = [];
      const { store, saved } = memoryCheckpointStore(4);
      const first = await retrain({
        model: uninterrupted.model,
        dataset,
        ...RUN,
        optimizer,
        checkpoint: store,
        onProgress: (event) => {
          firstEvents.push(event);
        },
      });
      assert.deepEqual(saved.map((checkpoint) => checkpoint.step), [4, 8], 'saves every 4 steps, never after the last');
      assert.deepEqual(uninterrupted.noise.stepsSeeded, Array.from({ length: 12 }, (_, i) => i + 1));

      // A different initialization proves the weights come from the checkpoint; the bytes round trip
      // proves what a worker would read back from Postgres is enough. Step 8: Adam's running power
      // 0.9^9, a product of float32 roundings, differs there from pow(0.9, 9), which tfjs's
      // setWeights would put back.
      const resumed = buildNoisyCnn(99);
      const stored = optimizer === 'adam' ? checkpointFromRecord(checkpointToRecord(saved[1])) : deserializeCheckpoint(serializeCheckpoint(saved[1]));
      const resumedEvents: TrainProgress[] = [];
      const second = await retrain({
        model: resumed.model,
        dataset,
        ...RUN,
        optimizer,
        checkpoint: memoryCheckpointStore(4, stored).store,
        onProgress: (event) => {
          resumedEvents.push(event);
        },
      });
      assert.equal(second.resumedFromStep, 8);
      assert.deepEqual(resumedEvents, firstEvents.slice(8));
      assert.deepEqual(await weightValues(resumed.model), await weightValues(uninterrupted.model));
      assert.equal(second.testAccuracy, first.testAccuracy);
    });
  }

  it("with adam: restores the running powers of beta1 and beta2 as they were, not as tfjs's pow(beta, t)", async () => {
    const { store, saved } = memoryCheckpointStore(8);
    await retrain({ model: buildTinyCnn(dataset), dataset, ...RUN, steps: 9, optimizer: 'adam', checkpoint: store });
    const checkpoint = checkpointFromRecord(checkpointToRecord(saved[0]!));
    const stored = checkpoint.optimizerState.runningPowers.map((power) => power.values[0]);
    // After 8 steps Adam holds 0.9^9 and 0.999^9 as products of float32 roundings; what tfjs's
    // setWeights alone would restore differs from them (otherwise this test could not fail).
    const recomputed = [0.9, 0.999].map((beta) => tf.tidy(() => tf.pow(beta, 9).dataSync()[0]));
    assert.equal(stored.length, 2);
    assert.notDeepEqual(stored, recomputed);
    const optimizer = tf.train.adam(RUN.learningRate);
    await restoreCheckpoint(checkpoint, buildTinyCnn(dataset), optimizer, 'adam');
    const restored = optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    assert.deepEqual([restored.accBeta1.dataSync()[0], restored.accBeta2.dataSync()[0]], stored);
    optimizer.dispose();
  });

  it('resumes a FiGS-gated network under its regularizer exactly (gate noise follows the step)', async () => {
    const buildGated = (seed: number) =>
      buildSeedModel('reference-cnn', { inputShape: dataset.inputShape, numClasses: dataset.numClasses, widthMultiplier: 0.25, gated: true, seed });
    const run = async (model: tf.LayersModel, store: ReturnType<typeof memoryCheckpointStore>['store']) => {
      const regularizer = createNetworkRegularizer(model, { algorithm: 'logistic-sigmoid', cost: 'flops' });
      return learnStructure({ model, dataset, regularizer, strength: 1 / regularizer.cost(), ...RUN, steps: 8, checkpoint: store });
    };
    const uninterrupted = buildGated(1);
    const { store, saved } = memoryCheckpointStore(4);
    const first = await run(uninterrupted, store);
    const resumed = buildGated(42);
    const second = await run(resumed, memoryCheckpointStore(4, deserializeCheckpoint(serializeCheckpoint(saved[0]))).store);
    assert.equal(second.resumedFromStep, 4);
    assert.deepEqual(await weightValues(resumed), await weightValues(uninterrupted));
    assert.equal(second.finalCost, first.finalCost);
  });

  it('draws different batches and noise for a different seed (the comparison above can fail)', async () => {
    const [a, b] = [buildNoisyCnn(1), buildNoisyCnn(1)];
    await retrain({ model: a.model, dataset, ...RUN, steps: 3 });
    await retrain({ model: b.model, dataset, ...RUN, steps: 3, seed: 6 });
    assert.notDeepEqual(await weightValues(a.model), await weightValues(b.model));
  });

  it('refuses a checkpoint from another seed, optimizer, architecture or a longer run, saying why', async () => {
    const { store, saved } = memoryCheckpointStore(2);
    await retrain({ model: buildTinyCnn(dataset), dataset, ...RUN, steps: 3, optimizer: 'momentum', checkpoint: store });
    const checkpoint = saved[0];
    const attempt = (overrides: object, model = buildTinyCnn(dataset), resumeFrom: TrainCheckpoint = checkpoint) =>
      retrain({ model, dataset, ...RUN, steps: 3, optimizer: 'momentum', checkpoint: memoryCheckpointStore(2, resumeFrom).store, ...overrides });
    const rejectsWith = (pattern: RegExp) => (error: unknown) =>
      error instanceof InvalidTrainingSetupError && pattern.test(error.message);

    await assert.rejects(attempt({ seed: 6 }), rejectsWith(/taken with seed 5 but this run has seed 6/));
    await assert.rejects(attempt({ optimizer: 'adam' }), rejectsWith(/"momentum" optimizer but this run uses "adam"/));
    await assert.rejects(attempt({ steps: 2 }), rejectsWith(/at step 2 but this run has 2 steps/));
    await assert.rejects(attempt({}, buildNoisyCnn(1).model), rejectsWith(/different architecture/));
    const narrower = buildReferenceCnn({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, widths: [8, 8, 4] });
    await assert.rejects(
      attempt({}, narrower),
      rejectsWith(/weight 6 is conv3\/kernel \[3,3,8,8\] in the checkpoint but conv3\/kernel \[3,3,8,4\] in the model/),
    );
  });
});

describe('checkpoint bytes', () => {
  async function sampleCheckpoint(): Promise<TrainCheckpoint> {
    const { store, saved } = memoryCheckpointStore(2);
    await retrain({ model: buildTinyCnn(dataset), dataset, ...RUN, steps: 3, optimizer: 'adam', checkpoint: store });
    return saved[0];
  }

  it('round-trips exactly, compactly, from any byte offset', async () => {
    const checkpoint = await sampleCheckpoint();
    const bytes = serializeCheckpoint(checkpoint);
    const valueCount = [...checkpoint.weights, ...checkpoint.optimizerState.slots].reduce((sum, array) => sum + array.values.length, 0);
    assert.ok(bytes.length < valueCount * 4 + 4096, `${bytes.length} bytes for ${valueCount} float32 values`);
    // Database drivers hand back Buffers that may start at an odd offset inside a shared pool.
    const pooled = Buffer.alloc(bytes.length + 3);
    pooled.set(bytes, 3);
    assert.deepEqual(deserializeCheckpoint(pooled.subarray(3)), checkpoint);
    assert.deepEqual(checkpointFromRecord(checkpointToRecord(checkpoint)), checkpoint);
    assert.equal(checkpoint.optimizerState.slots.length, 2 * 11, 'adam keeps two slots per trainable weight');
    assert.deepEqual(checkpoint.optimizerState.runningPowers.map((power) => power.name), ['accBeta1', 'accBeta2']);
    assert.equal(checkpoint.optimizerState.iterations, 2);
  });

  it('rejects truncated, foreign and mixed-up bytes with CorruptCheckpointError', async () => {
    const checkpoint = await sampleCheckpoint();
    const bytes = serializeCheckpoint(checkpoint);
    assert.throws(() => deserializeCheckpoint(bytes.subarray(0, bytes.length - 8)), CorruptCheckpointError);
    assert.throws(() => deserializeCheckpoint(new TextEncoder().encode('{"step": 4}')), /not written by serializeCheckpoint/);
    const record = checkpointToRecord(checkpoint);
    assert.throws(
      () => checkpointFromRecord({ ...record, weights: record.optimizerState, optimizerState: record.weights }),
      CorruptCheckpointError,
    );
    assert.throws(() => deserializeCheckpoint(record.weights), /not a training checkpoint/);
  });
});
