import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { buildSeedModel, SEED_MODEL_NAMES } from '../../src/models/index.ts';
import {
  applyStructure,
  COST_KINDS,
  createNetworkRegularizer,
  exportStructure,
  largestWidthMultiplierUnderCost,
  modelCost,
  parseStructure,
  REGULARIZER_ALGORITHMS,
  StructureError,
  toMorphNetFormat,
  type RegularizerAlgorithm,
} from '../../src/morphnet/index.ts';
import { mergeModel, setGammas } from '../support/morphnet-fixtures.ts';

before(async () => {
  await tf.setBackend('cpu');
});

/** Spread every regularized value across the threshold 0.5 so that some channels die and some live. */
function scrambleSources(model: tf.LayersModel, algorithm: RegularizerAlgorithm): void {
  let seed = 1;
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      const variable = weight.read() as tf.Variable;
      const channels = variable.shape.at(-1) as number;
      const uniform = (low: number, high: number) => tf.randomUniform([channels], low, high, 'float32', seed++);
      if (algorithm === 'gamma' && weight.originalName.endsWith('/gamma')) variable.assign(uniform(0, 1));
      if (algorithm === 'logistic-sigmoid' && weight.originalName.endsWith('/logits')) variable.assign(uniform(-3, 3));
      if (algorithm === 'group-lasso' && weight.originalName.endsWith('/kernel')) {
        const axes = Array.from({ length: variable.rank - 1 }, (_, i) => i);
        variable.assign(tf.tidy(() => tf.mul(tf.div(variable, tf.sqrt(tf.mean(tf.square(variable), axes))), uniform(0, 1))));
      }
    }
  }
}

const seedOptions = { inputShape: [12, 12, 1] as [number, number, number], numClasses: 3 };

describe('export -> apply -> cost invariant', () => {
  for (const network of SEED_MODEL_NAMES) {
    for (const algorithm of REGULARIZER_ALGORITHMS) {
      it(`${network} / ${algorithm}: modelCost(rebuilt) equals the regularizer's cost on every axis`, () => {
        const seed = buildSeedModel(network, { ...seedOptions, gated: algorithm === 'logistic-sigmoid' });
        scrambleSources(seed, algorithm);
        const ungatedSeed = buildSeedModel(network, seedOptions);
        for (const cost of COST_KINDS) {
          const options = { cost, hardware: cost === 'latency' ? 'T4' : undefined, batchSize: 2 };
          const regularizer = createNetworkRegularizer(seed, { algorithm, threshold: 0.5, ...options });
          const structure = exportStructure(regularizer, { strength: 1e-6, step: 10, network, ...seedOptions });
          const rebuilt = applyStructure(ungatedSeed, structure);
          assert.equal(modelCost(rebuilt, options), regularizer.cost(), `${cost}`);
          assert.equal(structure.proposedCost, regularizer.cost());
          assert.ok(regularizer.cost() < modelCost(ungatedSeed, options), 'some channels died');
          // The rebuilt widths are the alive counts, and the output keeps the class count.
          for (const layer of structure.layers) {
            if (layer.alive > 0) assert.equal((rebuilt.getLayer(layer.name).outputShape as number[]).at(-1), layer.alive, layer.name);
          }
          assert.equal(toMorphNetFormat(structure).logits, 3);
          assert.equal(rebuilt.layers.filter((l) => l.getClassName() === 'LogisticSigmoidGate').length, 0);
          regularizer.dispose();
          rebuilt.dispose();
        }
      });
    }
  }
});

describe('applyStructure', () => {
  it('rebuilds concat and depthwise-multiplier graphs to the reported cost', () => {
    const model = mergeModel();
    setGammas(model, { a_bn: [1, 0, 0, 0.2], b_bn: [0, 0, 0.1, 0.2], c_bn: [1, 1], d_bn: [0, 0, 0.9, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    const regularizer = createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'flops', threshold: 0.5 });
    const structure = exportStructure(regularizer, { strength: 1, step: 0 });
    assert.deepEqual(toMorphNetFormat(structure), { a: 2, b: 2, c: 2, d: 8, logits: 2 });
    const rebuilt = applyStructure(model, structure);
    assert.equal(modelCost(rebuilt, { cost: 'flops' }), 4448);
    assert.equal(modelCost(rebuilt, { cost: 'flops' }), regularizer.cost());
  });

  it('removes a vanished concat branch and a vanished residual branch', () => {
    const input = tf.input({ shape: [4, 4, 2], name: 'input' });
    const convBn = (x: tf.SymbolicTensor, name: string, filters: number) => {
      const y = tf.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
      return tf.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
    };
    const trunk = convBn(input, 's', 4);
    const hidden = tf.layers.reLU({ name: 't_relu' }).apply(convBn(trunk, 't', 4)) as tf.SymbolicTensor;
    const residual = tf.layers.add({ name: 'add' }).apply([trunk, convBn(hidden, 'u', 4)]) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: 'cat' }).apply([convBn(residual, 'p', 2), convBn(residual, 'q', 2)]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(cat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ name: 'logits', units: 2 }).apply(pooled) as tf.SymbolicTensor });
    setGammas(model, { t_bn: [0, 0, 0, 0], q_bn: [0.01, 0] });
    for (const cost of COST_KINDS) {
      const options = { cost, hardware: 'P4' };
      const regularizer = createNetworkRegularizer(model, { algorithm: 'gamma', threshold: 0.1, ...options });
      const structure = exportStructure(regularizer, { strength: 1, step: 0 });
      assert.deepEqual(toMorphNetFormat(structure), { s: 4, t: 0, u: 0, p: 2, q: 0, logits: 2 });
      const rebuilt = applyStructure(model, structure);
      const names = rebuilt.layers.map((l) => l.name);
      for (const gone of ['t', 't_bn', 't_relu', 'u', 'u_bn', 'add', 'q', 'q_bn', 'cat']) assert.ok(!names.includes(gone), gone);
      assert.equal(modelCost(rebuilt, options), regularizer.cost(), cost);
    }
    // Only s, p and the dense layer are left: 2*16*9*2*4 + 2*16*9*4*2 + 2*2*2.
    assert.equal(createNetworkRegularizer(model, { algorithm: 'gamma', threshold: 0.1, cost: 'flops' }).cost(), 2304 + 2304 + 8);
    // Killing the trunk (tied across the residual add) leaves no path to the output.
    setGammas(model, { s_bn: [0, 0, 0, 0], u_bn: [0, 0, 0, 0] });
    const dead = exportStructure(createNetworkRegularizer(model, { algorithm: 'gamma', threshold: 0.1, cost: 'flops' }), { strength: 1, step: 0 });
    assert.throws(() => applyStructure(model, dead), (e: unknown) => e instanceof StructureError && /every path to output "logits" vanished/.test(String(e)));
  });

  it('rebuilds with the same fresh weights every time (a retrain is reproducible)', () => {
    for (const network of SEED_MODEL_NAMES) {
      const seed = buildSeedModel(network, { ...seedOptions, seed: 0 });
      const structure = exportStructure(createNetworkRegularizer(seed, { algorithm: 'gamma', cost: 'flops', threshold: 0.5 }), { strength: 1, step: 0 });
      const [first, second] = [1, 2].map(() => applyStructure(buildSeedModel(network, { ...seedOptions, seed: 0 }), structure, { widthMultiplier: 0.5 }));
      assert.deepEqual(
        first.getWeights().map((w) => Array.from(w.dataSync())),
        second.getWeights().map((w) => Array.from(w.dataSync())),
        network,
      );
    }
  });

  it('scales learned widths by a multiplier, keeps residual groups consistent and the output fixed', () => {
    const seed = buildSeedModel('resnet', seedOptions);
    scrambleSources(seed, 'gamma');
    const regularizer = createNetworkRegularizer(seed, { algorithm: 'gamma', cost: 'flops', threshold: 0.5 });
    const structure = exportStructure(regularizer, { strength: 1, step: 0 });
    const wide = applyStructure(seed, structure, { widthMultiplier: 2 });
    const width = (name: string) => (wide.getLayer(name).outputShape as number[]).at(-1);
    const alive = toMorphNetFormat(structure);
    assert.equal(width('block2_conv1'), Math.max(1, Math.round(alive.block2_conv1 * 2)));
    assert.equal(width('block2_proj'), width('block2_conv2'));
    assert.equal(width('logits'), 3);
    assert.ok(modelCost(wide, { cost: 'flops' }) > regularizer.cost());
  });

  it('finds the largest width multiplier under a target cost', () => {
    const seed = buildSeedModel('reference-cnn', seedOptions);
    scrambleSources(seed, 'gamma');
    const structure = exportStructure(createNetworkRegularizer(seed, { algorithm: 'gamma', cost: 'flops', threshold: 0.5 }), { strength: 1, step: 0 });
    const target = modelCost(seed, { cost: 'flops' });
    const multiplier = largestWidthMultiplierUnderCost(() => buildSeedModel('reference-cnn', seedOptions), structure, { cost: 'flops', targetCost: target });
    const costAt = (m: number) => modelCost(applyStructure(seed, structure, { widthMultiplier: m }), { cost: 'flops' });
    assert.ok(costAt(multiplier) <= target);
    assert.ok(costAt(multiplier + 0.01) > target);
    assert.throws(() => largestWidthMultiplierUnderCost(seed, structure, { cost: 'flops', targetCost: 1 }), /raise the target/);
  });

  it('rejects a structure for another seed network and malformed structures', () => {
    const seed = buildSeedModel('reference-cnn', seedOptions);
    const structure = exportStructure(createNetworkRegularizer(seed, { algorithm: 'gamma', cost: 'flops', threshold: 0.5 }), { strength: 1, step: 0 });
    const wider = buildSeedModel('reference-cnn', { ...seedOptions, widthMultiplier: 2 });
    assert.throws(() => applyStructure(wider, structure), /layer "conv1" has 64 channels, the structure expects 32/);
    assert.throws(() => parseStructure({ ...structure, version: 99 }), /version/);
    assert.throws(() => parseStructure({ ...structure, layers: [{ ...structure.layers[0], alive: -1 }] }), /layers\.0\.alive/);
    assert.throws(() => applyStructure(seed, structure, { widthMultiplier: 0 }), /widthMultiplier/);
  });
});
