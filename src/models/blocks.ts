import * as tf from '@tensorflow/tfjs';
import { mixSeed, SEED_PURPOSE } from '../data/random.ts';
import { LogisticSigmoidGate } from '../morphnet/gate.ts';
import { batchNormalization } from './batch-norm.ts';
import { conv2d } from './conv2d.ts';

/** Layer-building helpers shared by the seed networks; names are stable so structures map to layers. */
export interface BlockContext {
  gated: boolean;
  seed: number;
  /** Counter so every initializer gets its own deterministic seed. */
  nextSeed: () => number;
}

/**
 * The seed of a network's index-th seeded layer (initializer or gate). Never 0: tfjs's normal and
 * truncated-normal generators read a seed of 0 as "no seed" and draw from Math.random, which made the
 * first kernel of every seed-0 network, and so every retrain from it, differ from build to build.
 * Mixed rather than added, so seed 1's layers are not seed 0's shifted by one.
 */
export function layerSeed(networkSeed: number, index: number): number {
  return mixSeed(SEED_PURPOSE.initializers, networkSeed, index) || 1;
}

export function blockContext(seed: number, gated: boolean): BlockContext {
  let index = 0;
  return { gated, seed, nextSeed: () => layerSeed(seed, index++) };
}

export function scaleWidth(width: number, widthMultiplier: number): number {
  return Math.max(1, Math.round(width * widthMultiplier));
}

/** BN, then (when gated) a FiGS gate named `<bnName>_gate`. */
export function batchNormAndGate(x: tf.SymbolicTensor, bnName: string, ctx: BlockContext, gate = true): tf.SymbolicTensor {
  let y = batchNormalization({ name: bnName }).apply(x) as tf.SymbolicTensor;
  if (ctx.gated && gate) y = new LogisticSigmoidGate({ name: `${bnName}_gate`, seed: ctx.nextSeed() }).apply(y) as tf.SymbolicTensor;
  return y;
}

export function conv(
  x: tf.SymbolicTensor,
  name: string,
  filters: number,
  kernelSize: number,
  strides: number,
  ctx: BlockContext,
): tf.SymbolicTensor {
  return conv2d({
    name,
    filters,
    kernelSize,
    strides,
    padding: 'same',
    useBias: false,
    kernelInitializer: tf.initializers.heNormal({ seed: ctx.nextSeed() }),
  }).apply(x) as tf.SymbolicTensor;
}

export function relu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.reLU({ name }).apply(x) as tf.SymbolicTensor;
}

export function classifierHead(x: tf.SymbolicTensor, numClasses: number, ctx: BlockContext): tf.SymbolicTensor {
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  return tf.layers
    .dense({ name: 'logits', units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.nextSeed() }) })
    .apply(pooled) as tf.SymbolicTensor;
}
