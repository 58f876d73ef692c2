import * as tf from '@tensorflow/tfjs';
import type { ChannelGraph, GraphLayer } from './graph.ts';

/**
 * Turns the trained seed network into the network its structure describes, in place: every output
 * channel of a dead group produces exactly zero, as if it had been removed. Conv and dense layers lose
 * the channel's kernel column and bias, depthwise layers the channel's filter and bias, batch norm the
 * channel's gamma and beta (a pruned channel would otherwise still feed beta forward). FiGS gates need
 * none of this at inference, but zeroing what they already switch off changes nothing.
 *
 * Why: a Gamma or GroupLasso channel counted dead still carries gamma * x + beta; an accuracy measured
 * with it belongs to a bigger network than the point's cost. Returns a function that restores the
 * original weights (training continues on them).
 */
export function switchOffDeadChannels(graph: ChannelGraph, groupAlive: ArrayLike<number>): () => void {
  const originals: Array<{ variable: tf.LayerVariable; value: tf.Tensor }> = [];
  for (const layer of graph.layers) {
    const deadChannels = deadOutputChannels(layer, groupAlive);
    if (deadChannels.length === 0) continue;
    for (const variable of perChannelVariables(layer)) {
      // Only these variables are written back: batch-norm statistics recalibrated meanwhile must stay.
      const value = variable.read().clone();
      originals.push({ variable, value });
      const zeroed = zeroOutputChannels(value, deadChannels, layer.role === 'depthwise' ? layer.depthMultiplier : 0);
      variable.write(zeroed);
      zeroed.dispose();
    }
  }
  return () => {
    for (const { variable, value } of originals) {
      variable.write(value);
      value.dispose();
    }
  };
}

function deadOutputChannels(layer: GraphLayer, groupAlive: ArrayLike<number>): number[] {
  if (!['conv', 'depthwise', 'dense', 'batch-norm'].includes(layer.role)) return [];
  const dead: number[] = [];
  layer.outputGroups.forEach((group, channel) => {
    if (groupAlive[group] === 0) dead.push(channel);
  });
  return dead;
}

/** The variables holding one value (or one slice) per output channel. */
function perChannelVariables(layer: GraphLayer): tf.LayerVariable[] {
  const names = layer.role === 'batch-norm' ? ['gamma', 'beta'] : ['kernel', 'depthwise_kernel', 'bias'];
  return layer.layer.weights.filter((weight) => names.includes(weight.originalName.split('/').at(-1) ?? ''));
}

/**
 * Zero output channels of a tensor whose last axis is the output channel (kernels, biases, gamma,
 * beta), or, for a depthwise kernel [h, w, in, multiplier], output channel in * multiplier + j.
 */
function zeroOutputChannels(value: tf.Tensor, channels: number[], depthMultiplier: number): tf.Tensor {
  const data = Float32Array.from(value.dataSync());
  const isDepthwiseKernel = depthMultiplier > 0 && value.rank === 4;
  const stride = isDepthwiseKernel ? value.shape[2]! * value.shape[3]! : value.shape.at(-1)!;
  for (const channel of channels) {
    for (let offset = channel; offset < data.length; offset += stride) data[offset] = 0;
  }
  return tf.tensor(data, value.shape, value.dtype);
}
