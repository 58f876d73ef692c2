import * as tf from '@tensorflow/tfjs';

/** Mean softmax cross-entropy of logits against one-hot labels (the task loss of every run). */
export function taskLossOf(logits: tf.Tensor, oneHotLabels: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(oneHotLabels, logits) as tf.Scalar;
}

// Kernels only: biases, batch-norm parameters and gate logits are left alone, as is customary; the
// gammas in particular are the regularizer's to shrink.
const KERNEL_NAME = /\/(kernel|depthwise_kernel|pointwise_kernel)$/;

/**
 * The variables weight decay applies to. It matters for the gamma regularizer: a conv followed by
 * batch norm is invariant to the conv kernel's scale, so without decay the optimizer can grow the
 * kernel instead of keeping the gammas' L1 pressure effective.
 */
export function decayedKernels(model: tf.LayersModel): tf.LayerVariable[] {
  return model.trainableWeights.filter((variable) => KERNEL_NAME.test(variable.originalName));
}

/** 0.5 * weightDecay * sum(w^2): its gradient is weightDecay * w, the usual coupled L2 decay. */
export function weightDecayLossOf(kernels: tf.LayerVariable[], weightDecay: number): tf.Scalar {
  if (weightDecay === 0 || kernels.length === 0) return tf.scalar(0);
  const sumOfSquares = tf.addN(kernels.map((kernel) => tf.sum(tf.square(kernel.read()))));
  return tf.mul(sumOfSquares, 0.5 * weightDecay) as tf.Scalar;
}
