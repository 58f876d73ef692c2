import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  createNetworkRegularizer,
  modelCost,
  modelCostBreakdown,
  RegularizerSetupError,
  UnknownDeviceError,
  UnsupportedLayerError,
} from '../../src/morphnet/index.ts';
import { chainModel, mergeModel, setGammas } from '../support/morphnet-fixtures.ts';

before(async () => {
  await tf.setBackend('cpu');
});

describe('modelCost (full width, hand-computed)', () => {
  it('counts conv, flatten->dense FLOPs with output spatial size and 2 x multiply-adds', () => {
    const model = chainModel();
    // conv1: 2*(6*6)*(3*3)*2*4 = 5184; dense after flatten: 2*(3*3*4)*3 = 216.
    assert.deepEqual(modelCostBreakdown(model, { cost: 'flops' }).byLayer, { conv1: 5184, logits: 216 });
    assert.equal(modelCost(model, { cost: 'flops' }), 5400);
    assert.equal(modelCost(model, { cost: 'flops', batchSize: 3 }), 3 * 5400);
    // weights only: 3*3*2*4 + 36*3.
    assert.equal(modelCost(model, { cost: 'model-size', batchSize: 3 }), 72 + 108);
  });

  it('crawls sequential models too', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 3, kernelSize: 3, useBias: false }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    // valid padding: 3x3 output; conv 2*9*9*1*3 = 486; dense 2*27*2 = 108.
    assert.equal(modelCost(model, { cost: 'flops' }), 486 + 108);
  });

  it('includes strides through the output size', () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const y = tf.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    // output 4x4: 2*16*9*1*2 = 576 (the bias is not a weight MorphNet counts).
    assert.equal(modelCost(tf.model({ inputs: input, outputs: y }), { cost: 'flops' }), 576);
    assert.equal(modelCost(tf.model({ inputs: input, outputs: y }), { cost: 'model-size' }), 18);
  });

  it('covers add, concat, depthwise with a multiplier, padding and pooling', () => {
    const model = mergeModel();
    // a 2*16*1*3*4, b 2*16*9*3*4, c 2*16*1*3*2, d 2*16*9*12 (depthwise: A_out only), dense 2*12*2.
    assert.deepEqual(modelCostBreakdown(model, { cost: 'flops' }).byLayer, { a: 384, b: 3456, c: 192, d: 3456, logits: 48 });
    // weights: 3*4 + 9*3*4 + 3*2 + 9*12 + 12*2.
    assert.equal(modelCost(model, { cost: 'model-size' }), 12 + 108 + 6 + 108 + 24);
  });

  it('ties multiply operands channel-wise and charges its memory traffic', () => {
    const input = tf.input({ shape: [2, 2, 1] });
    const branch = (name: string) => tf.layers.conv2d({ name, filters: 2, kernelSize: 1, useBias: false }).apply(input) as tf.SymbolicTensor;
    const product = tf.layers.multiply({ name: 'mul' }).apply([branch('p'), branch('q')]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: product });
    const byLayer = modelCostBreakdown(model, { cost: 'latency', hardware: 'K80' }).byLayer;
    // mul reads two 2x2x2 operands and writes one: 4*(4*2*2 + 4*2) bytes on 480 GB/s.
    assert.equal(byLayer.mul, (4 * (16 + 8)) / 480);
    assert.equal(modelCost(model, { cost: 'flops' }), 2 * (2 * 4 * 1 * 2));
  });

  it('computes roofline latency per op in ns, including memory-only ops', () => {
    const model = chainModel();
    // K80: 8740 GFLOP/s, 480 GB/s. conv1: max(5184/8740, 4*(36*2 + 9*2*4 + 36*4)/480)
    const byLayer = modelCostBreakdown(model, { cost: 'latency', hardware: 'K80' }).byLayer;
    const expected: Record<string, number> = {
      conv1: Math.max(5184 / 8740, (4 * (72 + 72 + 144)) / 480),
      bn1: (4 * (144 + 144)) / 480,
      relu1: (4 * (144 + 144)) / 480,
      logits: Math.max(216 / 8740, (4 * (36 + 108 + 3)) / 480),
    };
    assert.deepEqual(Object.keys(byLayer).sort(), Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected)) assert.ok(Math.abs(byLayer[name] - value) < 1e-9, name);
    // A compute-bound device: V100's 125000 GFLOP/s vs 900 GB/s still leaves these tiny ops memory bound;
    // a fake compute-only roofline is checked through the FLOP count instead.
    const v100 = modelCost(model, { cost: 'latency', hardware: 'V100' });
    assert.ok(Math.abs(v100 - (4 * (288 + 288 + 288 + 147)) / 900) < 1e-9);
  });

  it('charges a fused ReLU activation as its own memory-only op, like a separate ReLU layer', () => {
    const build = (fused: boolean) => {
      const input = tf.input({ shape: [32, 32, 64] });
      let y = tf.layers
        .conv2d({ name: 'conv', filters: 64, kernelSize: 3, padding: 'same', useBias: false, activation: fused ? 'relu' : 'linear' })
        .apply(input) as tf.SymbolicTensor;
      if (!fused) y = tf.layers.reLU({ name: 'relu' }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.batchNormalization({ name: 'bn' }).apply(y) as tf.SymbolicTensor;
      const pooled = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: tf.layers.dense({ name: 'logits', units: 10 }).apply(pooled) as tf.SymbolicTensor });
      setGammas(model, { bn: Array.from({ length: 64 }, (_, channel) => (channel < 16 ? 0.001 : 0.5)) });
      return model;
    };
    const [fused, separate] = [build(true), build(false)];
    // K80 leaves the conv compute bound, where folding the ReLU's traffic into the conv's max hid it.
    for (const hardware of ['K80', 'V100']) {
      const options = { cost: 'latency' as const, hardware, threshold: 0.01 };
      assert.ok(Math.abs(modelCost(fused, options) / modelCost(separate, options) - 1) < 1e-12, hardware);
      const [termFused, termSeparate] = [fused, separate].map((model) => {
        const regularizer = createNetworkRegularizer(model, { algorithm: 'gamma', ...options });
        const term = regularizer.regularizationTerm().dataSync()[0]!;
        assert.ok(Math.abs(regularizer.cost() / modelCost(separate, options) - 1) > 0.05, 'some channels are dead');
        regularizer.dispose();
        return term;
      });
      assert.ok(Math.abs(termFused / termSeparate - 1) < 1e-6, `${hardware}: term ${termFused} vs ${termSeparate}`);
    }
  });
});

describe('errors say what to do', () => {
  it('rejects an unknown device and lists the known ones', () => {
    assert.throws(
      () => modelCost(chainModel(), { cost: 'latency', hardware: 'GTX480' }),
      (error: unknown) =>
        error instanceof UnknownDeviceError && /GTX480/.test(error.message) && /V100/.test(error.message) && /H100/.test(error.message),
    );
    assert.throws(() => modelCost(chainModel(), { cost: 'latency' }), /needs hardware/);
  });

  it('names the unsupported layer, its type and the fix', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const y = tf.layers.separableConv2d({ name: 'sep', filters: 4, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
    assert.throws(
      () => modelCost(tf.model({ inputs: input, outputs: out }), { cost: 'flops' }),
      (error: unknown) =>
        error instanceof UnsupportedLayerError &&
        error.layerName === 'sep' &&
        error.layerType === 'SeparableConv2D' &&
        /DepthwiseConv2D followed by a 1x1 Conv2D/.test(error.message),
    );
    const reshapeInput = tf.input({ shape: [4, 4, 2] });
    const reshaped = tf.layers.reshape({ name: 'r', targetShape: [32] }).apply(reshapeInput) as tf.SymbolicTensor;
    assert.throws(() => modelCost(tf.model({ inputs: reshapeInput, outputs: reshaped }), { cost: 'flops' }), /"r" \(type Reshape\).*Flatten/);
    const denseInput = tf.input({ shape: [4, 4, 2] });
    const dense4d = tf.layers.dense({ name: 'd4', units: 3 }).apply(denseInput) as tf.SymbolicTensor;
    assert.throws(() => modelCost(tf.model({ inputs: denseInput, outputs: dense4d }), { cost: 'flops' }), /"d4".*add Flatten or GlobalAveragePooling2D/);
  });

  it('lets an input boundary skip an unsupported prefix', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    let x = tf.layers.separableConv2d({ name: 'sep', filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ name: 'conv', filters: 2, kernelSize: 1, useBias: false }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ name: 'head', filters: 3, kernelSize: 1, useBias: false }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: x });
    const regularizer = createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'flops', threshold: 0.1, inputBoundary: ['sep'], outputBoundary: ['head'] });
    // 'sep' is a fixed 4-channel input: conv 2*64*1*4*2 + head 2*64*2*3.
    assert.equal(regularizer.cost(), 1024 + 768);
    setGammas(model, { bn: [1, 0] });
    assert.equal(regularizer.cost(), 512 + 384);
    assert.deepEqual(regularizer.aliveCounts(), { conv: 1, head: 3 });
    assert.throws(() => createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'flops', threshold: 0.1, inputBoundary: ['nope'] }), /"nope".*its layers are/);
  });

  it('explains a regularizer that has nothing to regularize', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const y = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor });
    assert.throws(() => createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'flops', threshold: 0.1 }), (e: unknown) => e instanceof RegularizerSetupError && /BatchNormalization/.test(String(e)));
    assert.throws(() => createNetworkRegularizer(model, { algorithm: 'logistic-sigmoid', cost: 'flops', threshold: 0.1 }), /addGates/);
    assert.throws(() => createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'flops', threshold: -1 }), /threshold/);
  });
});
