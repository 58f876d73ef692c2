import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../src/data/index.ts';
import { loadDataset } from '../src/data/index.ts';
import { modelCost } from '../src/morphnet/index.ts';
import { buildSeedModel } from '../src/models/index.ts';
import type { PrismaClient } from '../src/db/client.ts';
import { InvalidTrainingSetupError } from '../src/train/index.ts';
import { isUserNetwork, latencyHardwareOf, type SeedNetworkConfig, type SweepConfig } from '../src/sweep/config.ts';
import { buildStoredUserModel } from './user-networks.ts';

/**
 * How a sweep config turns into TF.js objects: the dataset view every run of the sweep shares, the
 * seed network of one run, and costs on every axis. Shared by the sweep and retrain activities.
 */

/**
 * Every run of a sweep sees the same split (split seed 0) so their accuracies compare. The validation
 * split must hold examples: a run's point on the front is its validation accuracy, and falling back to
 * test accuracy would pick points on the test set.
 */
/** The sweep's training recipe as the training library takes it: every activity trains with the same. */
export function trainingKnobsOf(config: SweepConfig) {
  const { training } = config;
  return {
    ...(training.steps !== undefined ? { steps: training.steps } : { epochs: training.epochs }),
    optimizer: training.optimizer,
    learningRate: training.learningRate,
    weightDecay: training.weightDecay,
    batchSize: training.batchSize,
    evalEvery: training.evalEvery,
  };
}

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

export interface SweepNetworkOptions {
  gated?: boolean;
  /** Structure learning starts from the user's weights (unless the config says 'fresh'). */
  startingWeights?: boolean;
}

/** A built network and whether the user's model ended in a softmax (put back on export). */
export interface SweepNetwork {
  model: tf.LayersModel;
  outputSoftmax: boolean;
}

/**
 * The network of one run: a seed network, or the user's stored model (loaded from Postgres, so any
 * worker builds the same one). FiGS gates go in for the logistic-sigmoid regularizer unless told.
 */
export async function buildSweepNetwork(
  prisma: PrismaClient,
  config: SweepConfig,
  dataset: Dataset,
  seed: number,
  options: SweepNetworkOptions = {},
): Promise<SweepNetwork> {
  const gated = options.gated ?? config.regularizer.algorithm === 'logistic-sigmoid';
  if (isUserNetwork(config.network)) {
    const withWeights = options.startingWeights === true && config.network.initialWeights !== 'fresh';
    return buildStoredUserModel(prisma, config.network.model, { gated, withWeights, gateSeed: seed });
  }
  return { model: buildSeedNetwork(config, dataset, seed, { gated }), outputSoftmax: false };
}

function buildSeedNetwork(config: SweepConfig, dataset: Dataset, seed: number, options: { gated?: boolean } = {}): tf.LayersModel {
  const network = config.network as SeedNetworkConfig;
  return buildSeedModel(network.name, {
    inputShape: dataset.inputShape,
    numClasses: dataset.numClasses,
    widthMultiplier: network.widthMultiplier,
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
