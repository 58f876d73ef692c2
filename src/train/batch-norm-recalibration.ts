import * as tf from '@tensorflow/tfjs';
import { gatherBatch } from '../data/index.ts';
import type { Dataset } from '../data/types.ts';
import { InvalidTrainingSetupError } from './errors.ts';

/**
 * Replaces every batch-norm layer's moving mean and variance with the exact statistics of its
 * input over the first `calibrationSamples` training examples, with the network in inference mode.
 *
 * Why: after a few hundred steps the moving averages (momentum 0.99) still remember the random
 * initial weights; measured on Fashion-MNIST they left accuracy at 55-77% where recalibrated
 * statistics gave 81-84%. Layers are done in order, each seeing the already recalibrated layers
 * before it, so the statistics are those the inference network really produces.
 */
export interface RecalibrationOptions {
  calibrationSamples: number;
  batchSize: number;
}

interface BatchNormProbe {
  layer: tf.layers.Layer;
  /** The model cut off at this layer's input. */
  probe: tf.LayersModel;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  channelAxis: number;
}

const probesByModel = new WeakMap<tf.LayersModel, BatchNormProbe[]>();

function probesFor(model: tf.LayersModel): BatchNormProbe[] {
  const cached = probesByModel.get(model);
  if (cached) return cached;
  const problems: string[] = [];
  const nestedWithBatchNorm = model.layers.filter(
    (layer) => layer instanceof tf.LayersModel && layer.layers.some((inner) => inner.getClassName() === 'BatchNormalization'),
  );
  for (const nested of nestedWithBatchNorm) {
    problems.push(
      `batch-norm layers inside the nested model "${nested.name}" cannot be recalibrated; ` +
        'build the network as one flat functional model or pass recalibrateBatchNorm: false',
    );
  }
  const probes: BatchNormProbe[] = [];
  for (const layer of model.layers.filter((candidate) => candidate.getClassName() === 'BatchNormalization')) {
    if (layer.inboundNodes.length !== 1) {
      problems.push(`batch-norm layer "${layer.name}" is applied ${layer.inboundNodes.length} times; give each use its own layer`);
      continue;
    }
    const input = layer.input as tf.SymbolicTensor;
    const variableNamed = (suffix: string) => layer.weights.find((variable) => variable.originalName.endsWith(`/${suffix}`));
    const movingMean = variableNamed('moving_mean');
    const movingVariance = variableNamed('moving_variance');
    if (!movingMean || !movingVariance) {
      problems.push(`batch-norm layer "${layer.name}" has no moving_mean/moving_variance weights`);
      continue;
    }
    const rank = input.shape.length;
    const axis = (layer.getConfig().axis as number | undefined) ?? -1;
    probes.push({
      layer,
      probe: tf.model({ inputs: model.inputs, outputs: input }),
      movingMean,
      movingVariance,
      channelAxis: axis < 0 ? rank + axis : axis,
    });
  }
  if (problems.length > 0) throw new InvalidTrainingSetupError(problems);
  probesByModel.set(model, probes);
  return probes;
}

/** Per-channel mean and (biased, like TF.js batch norm) variance of one layer's input. */
function channelStatistics(probe: BatchNormProbe, dataset: Dataset, options: RecalibrationOptions) {
  const exampleCount = Math.min(options.calibrationSamples, dataset.train.count);
  const channels = probe.movingMean.shape[0] as number;
  const sums = new Float64Array(channels);
  const sumsOfSquares = new Float64Array(channels);
  for (let start = 0; start < exampleCount; start += options.batchSize) {
    const indices = Uint32Array.from({ length: Math.min(options.batchSize, exampleCount - start) }, (_, i) => start + i);
    const [batchMean, batchMeanOfSquares] = tf.tidy(() => {
      const { xs } = gatherBatch(dataset, dataset.train, indices);
      const activations = probe.probe.predict(xs) as tf.Tensor;
      const reduceAxes = activations.shape.map((_, axis) => axis).filter((axis) => axis !== probe.channelAxis);
      return [tf.mean(activations, reduceAxes).dataSync(), tf.mean(tf.square(activations), reduceAxes).dataSync()];
    });
    // Every example contributes the same number of positions, so batches weigh by example count.
    for (let channel = 0; channel < channels; channel++) {
      sums[channel] += batchMean[channel] * indices.length;
      sumsOfSquares[channel] += batchMeanOfSquares[channel] * indices.length;
    }
  }
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  for (let channel = 0; channel < channels; channel++) {
    const channelMean = sums[channel] / exampleCount;
    mean[channel] = channelMean;
    variance[channel] = Math.max(0, sumsOfSquares[channel] / exampleCount - channelMean ** 2);
  }
  return { mean, variance };
}

/** Returns the names of the recalibrated layers (empty for a model without batch norm). */
export function recalibrateBatchNorm(model: tf.LayersModel, dataset: Dataset, options: RecalibrationOptions): string[] {
  const probes = probesFor(model);
  for (const probe of probes) {
    const { mean, variance } = channelStatistics(probe, dataset, options);
    tf.tidy(() => {
      probe.movingMean.write(tf.tensor1d(mean));
      probe.movingVariance.write(tf.tensor1d(variance));
    });
  }
  return probes.map((probe) => probe.layer.name);
}
