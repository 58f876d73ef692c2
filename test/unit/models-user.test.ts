import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  buildUserModel,
  checkUserModel,
  exportLayersModel,
  MAX_USER_MODEL_BYTES,
  userModelId,
  type ModelProblem,
} from '../../src/models/user-model.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelFiles } from '../../src/models/user-model-files.ts';
import { InvalidUserModelError } from '../../src/models/user-model-json.ts';
import { buildVggBranchModel, saveAsModelJson, writeModelDirectory } from '../support/user-model-fixtures.ts';

type Topology = { class_name: string; config: { layers: Record<string, unknown>[]; output_layers: unknown[] } };

async function savedVgg(options: Parameters<typeof buildVggBranchModel>[0] = {}) {
  const model = buildVggBranchModel(options);
  try {
    return await saveAsModelJson(model);
  } finally {
    model.dispose();
  }
}

function topologyOf(modelJson: Record<string, unknown>): Topology {
  return structuredClone(modelJson.modelTopology) as Topology;
}

/** A model.json with the layer named `after`'s consumers rewired through `layer` (a layer class of our choosing). */
function withLayerAfter(modelJson: Record<string, unknown>, after: string, layer: { name: string; class_name: string; config?: Record<string, unknown> }): Record<string, unknown> {
  const topology = topologyOf(modelJson);
  const layers = topology.config.layers;
  for (const other of layers) {
    other.inbound_nodes = JSON.parse(JSON.stringify(other.inbound_nodes ?? []).replaceAll(`"${after}"`, `"${layer.name}"`));
  }
  const index = layers.findIndex((l) => l.name === after);
  layers.splice(index + 1, 0, { name: layer.name, class_name: layer.class_name, config: { name: layer.name, ...layer.config }, inbound_nodes: [[[after, 0, 0, {}]]] });
  return { modelTopology: topology };
}

const messages = (problems: ModelProblem[]) => problems.map((p) => `${p.layer ?? ''}|${p.className ?? ''}|${p.message}`);

describe('user models', () => {
  test('a VGG-style model with a concat branch and a hidden dense passes for every algorithm, widths learned on its hidden layers', async () => {
    const { modelJson, weightData } = await savedVgg();
    for (const algorithm of ['logistic-sigmoid', 'gamma', 'group-lasso'] as const) {
      const report = await checkUserModel(modelJson, weightData, { algorithm, inputShape: [8, 8, 1], numClasses: 3 });
      assert.deepEqual(report.problems, [], algorithm);
      assert.deepEqual(report.summary?.prunableLayers, ['vgg1_conv1', 'vgg1_conv2', 'branch_3x3', 'branch_1x1', 'hidden']);
      assert.equal(report.summary?.outputSoftmax, true);
      assert.equal(report.summary?.hasWeights, true);
      // Gamma reads batch-norm scales: the conv and the dense without a BN after them are named.
      const warned = report.warnings.map((w) => w.layer);
      assert.deepEqual(warned, algorithm === 'gamma' ? ['vgg1_conv2', 'hidden'] : []);
      if (algorithm === 'gamma') assert.match(report.warnings[0]!.message, /add a BatchNormalization after it, or sweep with logistic-sigmoid or group-lasso/);
    }
  });

  test('FiGS gates follow each prunable conv\'s batch norm (or the layer, without one); the output stays ungated', async () => {
    const { modelJson } = await savedVgg();
    const { model } = await buildUserModel({ modelTopology: modelJson.modelTopology as Record<string, unknown> }, { gated: true, gateSeed: 3 });
    try {
      const gateInputs = model.layers
        .filter((layer) => layer.getClassName() === 'LogisticSigmoidGate')
        .map((gate) => gate.inboundNodes[0]!.inboundLayers[0]!.name);
      assert.deepEqual(gateInputs.sort(), ['branch_1x1_bn', 'branch_3x3_bn', 'hidden', 'vgg1_bn1', 'vgg1_conv2']);
      assert.equal(model.outputs[0]!.sourceLayer.name, 'classes');
    } finally {
      model.dispose();
    }
  });

  test("the user's weights load (the softmax is taken off for training), and an export puts the softmax back", async () => {
    const original = buildVggBranchModel();
    const { modelJson, weightData } = await saveAsModelJson(original);
    const images = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 5);
    const { model, outputSoftmax } = await buildUserModel({ modelTopology: modelJson.modelTopology as Record<string, unknown>, weightSpecs: (modelJson.weightsManifest as { weights: never[] }[])[0]!.weights, weightData }, { withWeights: true });
    try {
      assert.equal(outputSoftmax, true);
      const expected = (original.predict(images) as tf.Tensor).arraySync() as number[][];
      const logits = model.predict(images) as tf.Tensor;
      const probabilities = tf.softmax(logits).arraySync() as number[][];
      probabilities.flat().forEach((p, i) => assert.ok(Math.abs(p - expected.flat()[i]!) < 1e-5, `${p} vs ${expected.flat()[i]}`));

      const exported = await exportLayersModel(model, { outputSoftmax });
      const reloaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: exported.modelTopology, weightSpecs: exported.weightSpecs as tf.io.WeightsManifestEntry[], weightData: exported.weightData.slice().buffer }));
      const again = (reloaded.predict(images) as tf.Tensor).arraySync() as number[][];
      again.flat().forEach((p, i) => assert.ok(Math.abs(p - expected.flat()[i]!) < 1e-5));
      reloaded.dispose();
    } finally {
      model.dispose();
      original.dispose();
      images.dispose();
    }
  });

  test('layer classes are checked before anything is deserialized: unsupported, Lambda and unregistered custom classes, all at once', async () => {
    // A class registered in this process but not one MorphNet handles: it must never be constructed.
    let constructed = false;
    class NotForUsers extends tf.layers.Layer {
      static className = 'NotForUsers';
      constructor(args: object) {
        super(args);
        constructed = true;
      }
    }
    tf.serialization.registerClass(NotForUsers);
    const { modelJson } = await savedVgg();
    let bad = withLayerAfter(modelJson, 'vgg1_relu1', { name: 'my_lambda', class_name: 'Lambda', config: { function: 'lambda x: x' } });
    bad = withLayerAfter(bad, 'branch_relu', { name: 'attention', class_name: 'MyAttention' });
    bad = withLayerAfter(bad, 'flatten', { name: 'norm', class_name: 'LayerNormalization' });
    bad = withLayerAfter(bad, 'hidden', { name: 'sneaky', class_name: 'NotForUsers' });
    const report = await checkUserModel(bad, undefined);
    assert.equal(constructed, false);
    const lines = messages(report.problems);
    assert.equal(lines.length, 4, lines.join('\n'));
    assert.match(lines[0]!, /^my_lambda\|Lambda\|a Lambda layer holds Python code, .* never runs; rewrite it with built-in layers \(supported: InputLayer, Conv2D/);
    assert.match(lines[1]!, /^attention\|MyAttention\|custom class MyAttention is not registered: .*supported layers: InputLayer, Conv2D/);
    assert.match(lines[2]!, /^norm\|LayerNormalization\|use BatchNormalization/);
    assert.match(lines[3]!, /^sneaky\|NotForUsers\|no channel-grouping rule exists for NotForUsers \(supported: /);
  });

  test('input shape, output width and output activation against the dataset, with what to change', async () => {
    const { modelJson } = await savedVgg();
    const topology = topologyOf(modelJson);
    const classes = topology.config.layers.find((l) => l.name === 'classes')!;
    (classes.config as Record<string, unknown>).activation = 'sigmoid';
    const sigmoid = await checkUserModel({ modelTopology: topology }, undefined, { inputShape: [8, 8, 1], numClasses: 3 });
    assert.deepEqual(messages(sigmoid.problems), ['classes|Dense|the output activation is sigmoid; training uses softmax cross-entropy on logits: end the model with a linear or softmax output']);
    const mismatch = await checkUserModel(modelJson, undefined, { inputShape: [28, 28, 1], numClasses: 10 });
    assert.deepEqual(messages(mismatch.problems), [
      "image|InputLayer|the model takes inputs of shape [8, 8, 1] but the dataset's images are [28, 28, 1] (height, width, channels); build the model for the dataset's images, or pick a dataset of that shape",
      'classes|Dense|the output has 3 units but the dataset has 10 classes; give the last layer 10 units',
    ]);
  });

  test('a network with nothing prunable, weights that do not match the manifest, and the size limit', async () => {
    const input = tf.input({ shape: [4, 4, 1], name: 'image' });
    const flat = tf.layers.flatten({ name: 'flatten' }).apply(input) as tf.SymbolicTensor;
    const linear = tf.model({ inputs: input, outputs: tf.layers.dense({ name: 'classes', units: 2 }).apply(flat) as tf.SymbolicTensor });
    const { modelJson, weightData } = await saveAsModelJson(linear);
    linear.dispose();
    const nothing = await checkUserModel(modelJson, weightData);
    assert.deepEqual(messages(nothing.problems), ['||nothing in the model is prunable: every conv and dense width is tied to the input or output; add hidden Conv2D or Dense layers']);
    const short = await checkUserModel(modelJson, weightData.slice(0, 8));
    assert.match(messages(short.problems)[0]!, /the weights are 8 bytes but the weightsManifest describes 136; send every file/);
    const huge = await checkUserModel(modelJson, new Uint8Array(MAX_USER_MODEL_BYTES + 1));
    assert.ok(messages(huge.problems).some((line) => /bytes \(topology and weights\); the limit is 33554432: sweep a smaller network/.test(line)));
    const notAModel = await checkUserModel({ weightsManifest: [] }, undefined);
    assert.match(messages(notAModel.problems)[0]!, /not a TF\.js Layers model\.json \(modelTopology: .*tensorflowjs_converter --input_format keras/);
  });

  test("tensorflowjs_converter's Keras layout (model_config, Keras 2 inbound nodes, initializer modules) is read like TF.js's own", async () => {
    const kerasJson = {
      format: 'layers-model',
      generatedBy: 'keras v2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '2.15.0',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Functional',
          config: {
            name: 'keras_cnn',
            layers: [
              { class_name: 'InputLayer', config: { batch_input_shape: [null, 8, 8, 1], dtype: 'float32', sparse: false, ragged: false, name: 'pixels' }, name: 'pixels', inbound_nodes: [] },
              {
                class_name: 'Conv2D',
                config: { name: 'conv', trainable: true, dtype: 'float32', filters: 6, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'linear', use_bias: false, kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null }, kernel_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null },
                name: 'conv',
                inbound_nodes: [[['pixels', 0, 0, {}]]],
              },
              { class_name: 'BatchNormalization', config: { name: 'bn', trainable: true, dtype: 'float32', axis: [3], momentum: 0.99, epsilon: 0.001, center: true, scale: true }, name: 'bn', inbound_nodes: [[['conv', 0, 0, {}]]] },
              { class_name: 'Activation', config: { name: 'relu', trainable: true, dtype: 'float32', activation: 'relu' }, name: 'relu', inbound_nodes: [[['bn', 0, 0, {}]]] },
              { class_name: 'GlobalAveragePooling2D', config: { name: 'pool', trainable: true, dtype: 'float32', data_format: 'channels_last', keepdims: false }, name: 'pool', inbound_nodes: [[['relu', 0, 0, {}]]] },
              { class_name: 'Dense', config: { name: 'logits', trainable: true, dtype: 'float32', units: 3, activation: 'softmax', use_bias: true }, name: 'logits', inbound_nodes: [[['pool', 0, 0, {}]]] },
            ],
            input_layers: [['pixels', 0, 0]],
            output_layers: [['logits', 0, 0]],
          },
        },
        training_config: { loss: 'sparse_categorical_crossentropy' },
      },
    };
    const report = await checkUserModel(kerasJson, undefined, { algorithm: 'gamma', inputShape: [8, 8, 1], numClasses: 3 });
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.summary?.prunableLayers, ['conv']);
    assert.equal(report.summary?.outputSoftmax, true);
  });

  test('a Sequential model ending in a Softmax layer trains on logits and exports with its softmax', async () => {
    const sequential = tf.sequential({
      name: 'plain_stack',
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, name: 'conv' }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dense({ units: 8, activation: 'relu', name: 'hidden' }),
        tf.layers.dense({ units: 2, name: 'logits' }),
        tf.layers.softmax({ name: 'probabilities' }),
      ],
    });
    const { modelJson, weightData } = await saveAsModelJson(sequential);
    const report = await checkUserModel(modelJson, weightData, { algorithm: 'group-lasso', inputShape: [6, 6, 2], numClasses: 2 });
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.summary?.prunableLayers, ['conv', 'hidden']);
    assert.equal(report.summary?.outputSoftmax, true);
    const { model, outputSoftmax } = await buildUserModel(report.artifacts!, { withWeights: true });
    assert.equal(model.outputs[0]!.sourceLayer.name, 'logits');
    const images = tf.randomUniform([3, 6, 6, 2], 0, 1, 'float32', 2);
    const exported = await exportLayersModel(model, { outputSoftmax });
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: exported.modelTopology, weightSpecs: exported.weightSpecs as tf.io.WeightsManifestEntry[], weightData: exported.weightData.slice().buffer }));
    const expected = (sequential.predict(images) as tf.Tensor).dataSync();
    const again = (reloaded.predict(images) as tf.Tensor).dataSync();
    again.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) < 1e-5));
    images.dispose();
    for (const built of [model, reloaded, sequential]) built.dispose();
  });

  test('a model.json on disk is read with the weight files its manifest names; a missing one is named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'morphsweep-model-files-'));
    try {
      const saved = await savedVgg();
      const path = await writeModelDirectory(dir, saved);
      const read = await readModelFiles(path);
      assert.deepEqual(read.weightData, saved.weightData);
      await rm(join(dir, 'group1-shard1of1.bin'));
      const missing = await readModelFiles(path).then(() => assert.fail('a missing weights file was not noticed'), (error: unknown) => error);
      assert.ok(missing instanceof InvalidUserModelError);
      assert.match(missing.message, /weights file .*group1-shard1of1\.bin named in the weightsManifest cannot be read \(ENOENT\); put it beside the model\.json, or drop weightsManifest/);
      await writeFile(path, '{"modelTopology": ');
      assert.match(String(await readModelFiles(path).catch((error: Error) => error.message)), /is not valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the content address covers topology and weights, not key order', async () => {
    const { modelJson, weightData } = await savedVgg();
    const topology = modelJson.modelTopology as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(topology).reverse());
    assert.equal(userModelId({ modelTopology: topology }), userModelId({ modelTopology: reordered }));
    assert.notEqual(userModelId({ modelTopology: topology }), userModelId({ modelTopology: topology, weightSpecs: [], weightData }));
    assert.match(userModelId({ modelTopology: topology }), /^sha256:[0-9a-f]{64}$/);
  });
});
