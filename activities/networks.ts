import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../src/data/index.ts';
import { loadDataset } from '../src/data/index.ts';
import { modelCost } from '../src/morphnet/index.ts';
import { buildSeedModel } from '../src/models/index.ts';
import { InvalidTrainingSetupError } from '../src/train/index.ts';
import { latencyHardwareOf, type SweepConfig } from '../src/sweep/config.ts';

/**
 * How a sweep config turns into TF.js objects: the dataset view every run of the sweep shares, the
 * seed network of one run, and costs on every axis. Shared by the sweep and retrain activities.
 */

/**
 * Every run of a sweep sees the same split (split seed 0) so their accuracies compare. The validation
 * split must hold examples: a run's point on the front is its validation accuracy, and falling back to
 * test accuracy would pick points on the test set.
 */
export async function loadSweepDataset(config: SweepConfig): Promise<Dataset> {
  const limit = config.dataLimit === undefined ? undefined : { train: config.dataLimit, test: config.dataLimit };
  const dataset = await loadDataset(config.dataset, { seed: 0, validationFraction: config.validationFraction, limit });
  if (dataset.validation.count === 0) {
    throw new InvalidTrainingSetupError([
      `the validation split is empty: validationFraction ${config.validationFraction} of ${dataset.train.count} training examples ` +
        'rounds to none; raise validationFraction or dataLimit',
    ]);
  }
  return dataset;
}

export function buildSeedNetwork(config: SweepConfig, dataset: Dataset, seed: number, options: { gated?: boolean } = {}): tf.LayersModel {
  return buildSeedModel(config.network.name, {
    inputShape: dataset.inputShape,
    numClasses: dataset.numClasses,
    widthMultiplier: config.network.widthMultiplier,
    // FiGS learns gates; the other algorithms read weights or batch-norm scales.
    gated: options.gated ?? config.regularizer.algorithm === 'logistic-sigmoid',
    seed,
  });
}

export interface CostsOnEveryAxis {
  flops: number;
  modelSize: number;
  latencyNs: number;
}

/** Full-width costs of a (rebuilt) network on all three axes; latency on the sweep's device. */
export function costsOf(model: tf.LayersModel, config: SweepConfig): CostsOnEveryAxis {
  const hardware = latencyHardwareOf(config);
  return {
    flops: modelCost(model, { cost: 'flops' }),
    modelSize: modelCost(model, { cost: 'model-size' }),
    latencyNs: modelCost(model, { cost: 'latency', hardware }),
  };
}

export function costOnAxis(costs: CostsOnEveryAxis, axis: SweepConfig['regularizer']['cost']): number {
  if (axis === 'flops') return costs.flops;
  if (axis === 'model-size') return costs.modelSize;
  return costs.latencyNs;
}
