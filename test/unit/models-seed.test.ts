import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { buildReferenceCnn } from '../../src/models/reference-cnn.ts';
import { buildSeedModel, SEED_MODEL_NAMES } from '../../src/models/index.ts';
import { modelCost } from '../../src/morphnet/index.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const options = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };
const classesOf = (model: tf.LayersModel) => model.layers.map((l) => l.getClassName());

describe('seed networks', () => {
  it('the ResNet has residual adds with an identity and a projection shortcut', () => {
    const model = buildSeedModel('resnet', options);
    const adds = model.layers.filter((l) => l.getClassName() === 'Add');
    assert.equal(adds.length, 3);
    const operandsOf = (name: string) => model.getLayer(name).inboundNodes[0].inboundLayers.map((l) => l.name);
    assert.deepEqual(operandsOf('block1_add'), ['stem_relu', 'block1_bn2']);
    assert.deepEqual(operandsOf('block2_add'), ['block2_proj_bn', 'block2_bn2']);
    assert.deepEqual(model.outputs[0].shape, [null, 10]);
  });

  it('the MobileNet has depthwise convs followed by pointwise convs', () => {
    const model = buildSeedModel('mobilenet', options);
    assert.equal(classesOf(model).filter((c) => c === 'DepthwiseConv2D').length, 3);
    assert.equal(model.getLayer('sep1_dw').inboundNodes[0].inboundLayers[0].name, 'stem_relu');
    assert.equal((model.getLayer('sep2_dw').outputShape as number[])[1], 7);
  });

  it('gated variants add one gate per conv BN and share every other layer name', () => {
    for (const name of SEED_MODEL_NAMES) {
      const plain = buildSeedModel(name, options);
      const gated = buildSeedModel(name, { ...options, gated: true });
      const gates = gated.layers.filter((l) => l.getClassName() === 'LogisticSigmoidGate').map((l) => l.name);
      const convBns = plain.layers.filter(
        (l) => l.getClassName() === 'BatchNormalization' && l.inboundNodes[0].inboundLayers[0].getClassName() === 'Conv2D',
      );
      assert.deepEqual(gates.sort(), convBns.map((l) => `${l.name}_gate`).sort(), name);
      assert.deepEqual(gated.layers.map((l) => l.name).filter((n) => !gates.includes(n)), plain.layers.map((l) => l.name), name);
      // Gates cost nothing: at inference they fold into the preceding BN.
      assert.equal(modelCost(gated, { cost: 'flops' }), modelCost(plain, { cost: 'flops' }), name);
    }
  });

  it('draws every initial weight from its seed: equal for equal seeds (0 included), different otherwise', () => {
    const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));
    for (const name of SEED_MODEL_NAMES) {
      for (const gated of [false, true]) {
        const build = (seed: number) => buildSeedModel(name, { ...options, widthMultiplier: 0.25, gated, seed });
        // Seed 0 is the default of every sweep, and tfjs's normal generators read 0 as "no seed".
        for (const seed of [0, 3]) assert.deepEqual(weightsOf(build(seed)), weightsOf(build(seed)), `${name}, gated ${gated}, seed ${seed}`);
        const [zero, one] = [build(0), build(1)];
        for (const layer of zero.layers.filter((l) => /Conv|Dense/.test(l.getClassName()))) {
          const [kernel0, kernel1] = [layer, one.getLayer(layer.name)].map((l) => Array.from(l.getWeights()[0].dataSync()));
          assert.notDeepEqual(kernel0, kernel1, `${name}: ${layer.name} ignores the seed`);
        }
      }
    }
    const reference = (seed: number) => weightsOf(buildReferenceCnn({ ...options, widths: [4, 8, 8], seed }));
    assert.deepEqual(reference(0), reference(0));
  });

  it('scales widths with the multiplier and runs forward', () => {
    const half = buildSeedModel('resnet', { ...options, widthMultiplier: 0.5 });
    assert.equal((half.getLayer('block3_conv2').outputShape as number[]).at(-1), 32);
    const x = tf.zeros([2, 28, 28, 1]);
    for (const name of SEED_MODEL_NAMES) assert.deepEqual((buildSeedModel(name, { ...options, gated: true }).predict(x) as tf.Tensor).shape, [2, 10]);
    assert.throws(() => buildSeedModel('vgg' as never, options), /unknown seed network "vgg"/);
    assert.throws(() => buildSeedModel('resnet', { ...options, widthMultiplier: 0 }), /widthMultiplier/);
  });

  it('keeps buildReferenceCnn and its reference widths', () => {
    const model = buildReferenceCnn({ ...options, widths: [8, 16, 32] });
    assert.deepEqual(['conv1', 'conv2', 'conv3'].map((n) => (model.getLayer(n).outputShape as number[]).at(-1)), [8, 16, 32]);
    // conv1 2*28*28*9*1*8, conv2 (stride 2) 2*14*14*9*8*16, conv3 2*7*7*9*16*32, dense 2*32*10.
    assert.equal(modelCost(model, { cost: 'flops' }), 112896 + 451584 + 451584 + 640);
  });
});
