import * as tf from '@tensorflow/tfjs';
import {
  BatchNormGradSums,
  BatchNormInputGrad,
  BatchNormNormalize,
  BatchNormVariance,
} from '../engine/wasm-kernels/batch-norm-training.ts';
import { NativeBatchNormTraining, NativeBatchNormTrainingGrad } from '../engine/native-kernels.ts';

/**
 * Batch normalization whose training step costs a few passes over the activations.
 *
 * Why: tfjs-layers trains batch norm as tf.moments + tf.batchNorm, and the backward pass goes
 * through tfjs-core's generic FusedBatchNorm gradient (a tile, broadcast multiplies, separate sums)
 * plus the gradients of moments: some 20 full-size passes per layer, measured ~175 ms of a ~650 ms
 * training step of the reference CNN on wasm (one thread). Here the training-mode forward and
 * backward are one tf.customGrad with the closed-form gradient: on wasm four fused SIMD loops
 * (src/engine/wasm-kernels/batch-norm-training.ts, ~30 ms a step), elsewhere per-channel affine
 * maps and leading-axis sums. The maths, weights, config, moving-statistics updates and class name
 * are tfjs-layers' own, so saved models, MorphNet's graph, the gamma regularizer and batch-norm
 * recalibration see an ordinary 'BatchNormalization' layer; inference and other channel axes run
 * tfjs-layers' code unchanged.
 */

export type BatchNormalizationArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type TfjsBatchNormalization = ReturnType<typeof tf.layers.batchNormalization>;
type TfjsBatchNormalizationClass = (new (args?: BatchNormalizationArgs) => TfjsBatchNormalization) &
  Pick<typeof tf.layers.Layer, 'fromConfig'>;
type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

/** tfjs-layers' private fields that the training path reads (declared private in its typings). */
interface BatchNormalizationFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

/**
 * tfjs-layers' class, taken from the serialization map (tf.layers does not export the class
 * itself; constructing a throwaway layer to reach it would shift the automatic layer names). If
 * this module was evaluated before (a second copy in a bundle), the map holds our class already:
 * its parent is the one.
 */
function tfjsBatchNormalizationClass(): TfjsBatchNormalizationClass {
  const registered = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization?.[0];
  if (registered === undefined) {
    throw new Error("tfjs-layers' BatchNormalization is not registered; import @tensorflow/tfjs before src/models/batch-norm.ts");
  }
  const isOurs = (registered as unknown as { fastTraining?: boolean }).fastTraining === true;
  return (isOurs ? Object.getPrototypeOf(registered) : registered) as TfjsBatchNormalizationClass;
}

export class FastBatchNormalization extends tfjsBatchNormalizationClass() {
  /** Same name as tfjs-layers' class: configs and checkpoints stay interchangeable with it. */
  static className = 'BatchNormalization';
  /** Marks the replacement in the serialization map (see tfjsBatchNormalizationClass). */
  static readonly fastTraining = true;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const fields = this as unknown as BatchNormalizationFields;
    const channelAxis = fields.axis >= 0 ? fields.axis : fields.axis + (input?.rank ?? 0);
    const fastPathApplies =
      kwargs.training === true &&
      input !== undefined &&
      input.dtype === 'float32' &&
      input.rank >= 2 &&
      channelAxis === input.rank - 1 &&
      fields.center &&
      fields.scale;
    if (!fastPathApplies) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { normalized, mean, variance } = normalizeBatchInTraining(input, fields.gamma.read(), fields.beta.read(), fields.epsilon);
      updateMovingAverage(fields.movingMean, mean, fields.momentum);
      updateMovingAverage(fields.movingVariance, variance, fields.momentum);
      mean.dispose();
      variance.dispose();
      return normalized;
    });
  }
}
tf.serialization.registerClass(FastBatchNormalization);

/** Drop-in for tf.layers.batchNormalization. */
export function batchNormalization(args: BatchNormalizationArgs = {}): FastBatchNormalization {
  return new FastBatchNormalization(args);
}

/** tfjs-layers' update, op for op: moving -= (moving - batchValue) * (1 - momentum). */
function updateMovingAverage(variable: LayerVariable, batchValue: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const decay = 1 - momentum;
    const original = variable.read();
    const updateDelta = tf.mul(tf.sub(original, batchValue), decay);
    variable.write(tf.sub(original, updateDelta));
  });
}

/**
 * Normalizes `x` over all axes but the last with the batch's own statistics, then scales by gamma
 * and shifts by beta. Returns the batch mean and (biased) variance too, for the moving averages;
 * the caller disposes them.
 */
export function normalizeBatchInTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { normalized: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  if (tf.getKernel(NativeBatchNormTraining, tf.getBackend()) !== undefined) return nativeBatchNormTraining(x, gamma, beta, epsilon);
  const reductionAxes = x.shape.slice(0, -1).map((_, axis) => axis);
  const channels = x.shape[x.rank - 1]!;
  const rows = x.size / channels;
  const passes = fusedPassesApply(channels) ? fusedPasses : composedPasses(reductionAxes);
  let mean: tf.Tensor | undefined;
  let variance: tf.Tensor | undefined;
  const normalizeWithGradient = tf.customGrad(((xIn: tf.Tensor, gammaIn: tf.Tensor, betaIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const batchMean = tf.mean(xIn, reductionAxes);
    const { centered, variance: batchVariance } = passes.center(xIn, batchMean);
    const invStd = tf.rsqrt(tf.add(batchVariance, epsilon));
    const scale = tf.mul(gammaIn, invStd);
    mean = tf.keep(batchMean);
    variance = tf.keep(batchVariance);
    save([invStd, scale, ...centered]);
    return {
      value: passes.normalize(centered, scale, betaIn),
      gradFunc: (dy: tf.Tensor, [savedInvStd, savedScale, ...savedCentered]: tf.Tensor[]) =>
        normalizationGradients(passes, dy, savedCentered, savedInvStd!, savedScale!, rows),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const normalized = normalizeWithGradient(x, gamma, beta);
  return { normalized, mean: mean!, variance: variance! };
}

/**
 * The native engines: TensorFlow's own fused batch norm and its gradient, one op each way (the
 * same closed form; src/engine/native-kernels.ts). TensorFlow's saved statistics pass through
 * untouched: their meaning differs between its CPU and GPU kernels.
 */
function nativeBatchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { normalized: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  let mean: tf.Tensor | undefined;
  let variance: tf.Tensor | undefined;
  const normalizeWithGradient = tf.customGrad(((xIn: tf.Tensor, gammaIn: tf.Tensor, betaIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const [normalized, batchMean, batchVariance, ...saved] = runKernels(NativeBatchNormTraining, { x: xIn, scale: gammaIn, offset: betaIn }, { epsilon });
    mean = tf.keep(batchMean!);
    variance = tf.keep(batchVariance!);
    save([xIn, gammaIn, ...saved]);
    return {
      value: normalized!,
      gradFunc: (dy: tf.Tensor, [savedX, savedGamma, saved0, saved1, saved2]: tf.Tensor[]) =>
        runKernels(NativeBatchNormTrainingGrad, { dy, x: savedX!, scale: savedGamma!, saved0: saved0!, saved1: saved1!, saved2: saved2! }, { epsilon }),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const normalized = normalizeWithGradient(x, gamma, beta);
  return { normalized, mean: mean!, variance: variance! };
}

/**
 * Closed-form batch-norm gradients, with xhat = (x - mean) * invStd and M rows:
 * dbeta = sum(dy), dgamma = sum(dy * xhat), dx = gamma * invStd * (dy - dbeta/M - xhat * dgamma/M).
 */
function normalizationGradients(
  passes: NormalizationPasses,
  dy: tf.Tensor,
  centered: tf.Tensor[],
  invStd: tf.Tensor,
  scale: tf.Tensor,
  rows: number,
): tf.Tensor[] {
  const [dBeta, dyCenteredSum] = passes.gradientSums(dy, centered);
  const dGamma = tf.mul(dyCenteredSum, invStd);
  // dx = scale * dy + centeredScale * (x - mean) + shift, per channel.
  const centeredScale = tf.mul(tf.mul(scale, invStd), tf.div(dGamma, -rows));
  const shift = tf.mul(scale, tf.div(dBeta, -rows));
  return [passes.inputGradient(dy, centered, scale, centeredScale, shift), dGamma, dBeta];
}

/**
 * The full-size passes of batch-norm training. `centered` stands for x - mean: whatever tensors a
 * strategy keeps to recompute it (saved for the backward pass).
 */
interface NormalizationPasses {
  center(x: tf.Tensor, mean: tf.Tensor): { centered: tf.Tensor[]; variance: tf.Tensor };
  /** centered * scale + offset. */
  normalize(centered: tf.Tensor[], scale: tf.Tensor, offset: tf.Tensor): tf.Tensor;
  /** [sum(dy), sum(dy * centered)]. */
  gradientSums(dy: tf.Tensor, centered: tf.Tensor[]): [tf.Tensor, tf.Tensor];
  /** dy * dyScale + centered * centeredScale + shift. */
  inputGradient(dy: tf.Tensor, centered: tf.Tensor[], dyScale: tf.Tensor, centeredScale: tf.Tensor, shift: tf.Tensor): tf.Tensor;
}

/**
 * The engine's fused wasm loops (src/engine/wasm-kernels/batch-norm-training.ts): x - mean is
 * recomputed inside each pass instead of stored, so training reads x three times and writes two
 * tensors per layer.
 */
const fusedPasses: NormalizationPasses = {
  center: (x, mean) => ({ centered: [x, mean], variance: runKernel(BatchNormVariance, { x, mean }) }),
  normalize: ([x, mean], scale, offset) => runKernel(BatchNormNormalize, { x: x!, mean: mean!, scale, offset }),
  gradientSums: (dy, [x, mean]) => runKernels(BatchNormGradSums, { dy, x: x!, mean: mean! }) as [tf.Tensor, tf.Tensor],
  inputGradient: (dy, [x, mean], dyScale, centeredScale, shift) =>
    runKernel(BatchNormInputGrad, { dy, x: x!, mean: mean!, dyScale, centeredScale, shift }),
};

/** Any backend: x - mean stored, per-channel affine maps, sums over the leading axes. */
function composedPasses(reductionAxes: number[]): NormalizationPasses {
  return {
    center: (x, mean) => {
      const centered = tf.sub(x, mean);
      // Same two-pass variance as tf.moments (a multiply: wasm's Square kernel is twice as slow).
      return { centered: [centered], variance: tf.mean(tf.mul(centered, centered), reductionAxes) };
    },
    normalize: ([centered], scale, offset) => perChannelAffine(centered!, scale, offset),
    gradientSums: (dy, [centered]) => [tf.sum(dy, reductionAxes), tf.sum(tf.mul(dy, centered!), reductionAxes)],
    inputGradient: (dy, [centered], dyScale, centeredScale, shift) =>
      tf.add(tf.mul(dy, dyScale), perChannelAffine(centered!, centeredScale, shift)),
  };
}

/** On the wasm backend with the engine's kernels registered, for channel counts their 4-wide SIMD loops take. */
function fusedPassesApply(channels: number): boolean {
  return channels % 4 === 0 && tf.getBackend() === 'wasm' && tf.getKernel(BatchNormVariance, 'wasm') !== undefined;
}

function runKernel(kernelName: string, inputs: tf.NamedTensorMap): tf.Tensor {
  return tf.engine().runKernel(kernelName, inputs) as tf.Tensor;
}

function runKernels(kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor[] {
  return tf.engine().runKernel(kernelName, inputs, attrs) as tf.Tensor[];
}

/** x * scale + shift along the last axis, in one pass (a 1x1 depthwise convolution with a bias). */
function perChannelAffine(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor): tf.Tensor {
  const channels = x.shape[x.rank - 1]!;
  const pixels = tf.reshape(x, [1, 1, x.size / channels, channels]) as tf.Tensor4D;
  const filter = tf.reshape(scale, [1, 1, channels, 1]) as tf.Tensor4D;
  const out = tf.fused.depthwiseConv2d({ x: pixels, filter, bias: shift, strides: 1, pad: 'valid' });
  return tf.reshape(out, x.shape);
}
