import * as tf from '@tensorflow/tfjs';
import { LogisticSigmoidGate } from '../morphnet/gate.ts';
import { batchNormalization } from './batch-norm.ts';
import { layerSeed } from './blocks.ts';
import { conv2d } from './conv2d.ts';

export interface ReferenceCnnOptions {
  inputShape: [number, number, number];
  numClasses: number;
  /** Output channels of the three conv blocks; the reference widths are [32, 64, 128]. */
  widths?: [number, number, number];
  seed?: number;
  /** Put a FiGS LogisticSigmoidGate after each BN (for the logistic-sigmoid regularizer). */
  gated?: boolean;
}

/**
 * The reference CNN used for throughput numbers and the default seed network:
 * conv3x3(32)-BN-ReLU, conv3x3(64, stride 2)-BN-ReLU, conv3x3(128, stride 2)-BN-ReLU,
 * global average pool, dense(numClasses).
 */
export function buildReferenceCnn(options: ReferenceCnnOptions): tf.LayersModel {
  const widths = options.widths ?? [32, 64, 128];
  const strides = [1, 2, 2];
  const seed = options.seed ?? 0;
  const input = tf.input({ shape: options.inputShape, name: 'input' });
  let x: tf.SymbolicTensor = input;
  widths.forEach((filters, i) => {
    x = conv2d({
      name: `conv${i + 1}`,
      filters,
      kernelSize: 3,
      strides: strides[i],
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(seed, i) }),
    }).apply(x) as tf.SymbolicTensor;
    x = batchNormalization({ name: `bn${i + 1}` }).apply(x) as tf.SymbolicTensor;
    if (options.gated) {
      x = new LogisticSigmoidGate({ name: `bn${i + 1}_gate`, seed: layerSeed(seed, 200 + i) }).apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers.reLU({ name: `relu${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({
      name: 'logits',
      units: options.numClasses,
      kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, 100) }),
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'reference_cnn' });
}
