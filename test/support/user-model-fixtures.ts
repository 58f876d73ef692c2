import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * A user's network unlike every seed: a VGG-style stack (two 3x3 convs per stage, max pooling), a
 * branch whose 3x3 and 1x1 convs are concatenated, a hidden dense layer, dropout and a softmax
 * output, built with stock tf.layers and saved as TF.js writes model.json.
 */
export function buildVggBranchModel(options: { inputShape?: [number, number, number]; numClasses?: number; seed?: number } = {}): tf.LayersModel {
  const [height, width, channels] = options.inputShape ?? [8, 8, 1];
  let seed = options.seed ?? 7;
  const init = () => tf.initializers.heNormal({ seed: seed++ });
  const input = tf.input({ shape: [height, width, channels], name: 'image' });
  let x = tf.layers.conv2d({ name: 'vgg1_conv1', filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init() }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'vgg1_bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ name: 'vgg1_relu1', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ name: 'vgg1_conv2', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'vgg1_pool', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  const wide = tf.layers.conv2d({ name: 'branch_3x3', filters: 12, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  const wideBn = tf.layers.batchNormalization({ name: 'branch_3x3_bn' }).apply(wide) as tf.SymbolicTensor;
  const narrow = tf.layers.conv2d({ name: 'branch_1x1', filters: 6, kernelSize: 1, useBias: false, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  const narrowBn = tf.layers.batchNormalization({ name: 'branch_1x1_bn' }).apply(narrow) as tf.SymbolicTensor;
  x = tf.layers.concatenate({ name: 'branch_concat' }).apply([wideBn, narrowBn]) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'branch_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'branch_pool', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ name: 'hidden', units: 24, activation: 'relu', kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ name: 'hidden_dropout', rate: 0.1 }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ name: 'classes', units: options.numClasses ?? 3, activation: 'softmax', kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'vgg_branch' });
}

export interface SavedModelFiles {
  modelJson: Record<string, unknown>;
  weightData: Uint8Array;
}

/** What model.save('file://dir') writes: model.json naming one weights file, and that file. */
export async function saveAsModelJson(model: tf.LayersModel): Promise<SavedModelFiles> {
  let saved: SavedModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : (data as ArrayBuffer);
      saved = {
        modelJson: {
          format: 'layers-model',
          generatedBy: artifacts.generatedBy,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }],
        },
        weightData: new Uint8Array(buffer),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

/** Writes model.json and its weights file into `dir`; returns the model.json path. */
export async function writeModelDirectory(dir: string, files: SavedModelFiles, options: { withWeights?: boolean } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const modelJson = options.withWeights === false ? { ...files.modelJson, weightsManifest: undefined } : files.modelJson;
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
  if (options.withWeights !== false) await writeFile(join(dir, 'group1-shard1of1.bin'), files.weightData);
  return join(dir, 'model.json');
}
