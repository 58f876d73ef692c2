import * as tf from '@tensorflow/tfjs';

/** Small hand-analysable graphs shared by the MorphNet unit tests (expected values live in the tests). */

export function setGammas(model: tf.LayersModel, gammas: Record<string, number[]>): void {
  for (const [name, values] of Object.entries(gammas)) {
    const gamma = model.getLayer(name).weights.find((w) => w.originalName.endsWith('/gamma'));
    (gamma?.read() as tf.Variable).assign(tf.tensor1d(values));
  }
}

/** input 6x6x2 -> conv3x3(4) -> BN -> ReLU -> maxpool2 -> dropout -> flatten (3*3*4) -> dense(3). */
export function chainModel(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2], name: 'input' });
  let x = tf.layers.conv2d({ name: 'conv1', filters: 4, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'relu1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ name: 'drop', rate: 0.5 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flat' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'logits', units: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/**
 * input 4x4x3; a = conv1x1(4)+BN and b = conv3x3(4)+BN joined by add (channel i of a and b tied);
 * c = conv1x1(2)+BN; concat[add, c] (6 ch); depthwise3x3 multiplier 2 (12 ch)+BN; zero padding;
 * global average pool; dense(2).
 */
export function mergeModel(): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 3], name: 'input' });
  const convBn = (name: string, filters: number, kernelSize: number) => {
    const y = tf.layers.conv2d({ name, filters, kernelSize, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
    return tf.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
  };
  const sum = tf.layers.add({ name: 'add' }).apply([convBn('a', 4, 1), convBn('b', 4, 3)]) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([sum, convBn('c', 2, 1)]) as tf.SymbolicTensor;
  let x = tf.layers.depthwiseConv2d({ name: 'd', kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false }).apply(cat) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'd_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.zeroPadding2d({ name: 'pad', padding: 1 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'logits', units: 2 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}


export function setVariable(model: tf.LayersModel, layerName: string, suffix: string, values: number[] | tf.Tensor): void {
  const weight = model.getLayer(layerName).weights.find((w) => w.originalName.endsWith(`/${suffix}`));
  if (!weight) throw new Error(`layer ${layerName} has no ${suffix}`);
  (weight.read() as tf.Variable).assign(Array.isArray(values) ? tf.tensor(values, weight.shape as number[]) : values);
}
