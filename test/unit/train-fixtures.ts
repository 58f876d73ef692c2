import * as tf from '@tensorflow/tfjs';
import { loadDataset, type Dataset } from '../../src/data/index.ts';
import { initEngine } from '../../src/engine/index.ts';
import { buildReferenceCnn } from '../../src/models/reference-cnn.ts';
import type { CheckpointStore, TrainCheckpoint } from '../../src/train/index.ts';

/** Shared setup for the train-*.test.ts files: tiny synthetic data and a narrow reference CNN. */

export const SYNTHETIC_SPEC = 'synthetic:classes=3,size=8,channels=1,train=256,test=64,seed=1';

export async function setUpTinyTraining(): Promise<Dataset> {
  // One thread: the test runner already runs two files at once on a two-core machine.
  await initEngine({ threads: 1 });
  return loadDataset(SYNTHETIC_SPEC, { seed: 0, validationFraction: 0.25 });
}

export function buildTinyCnn(dataset: Dataset, seed = 1): tf.LayersModel {
  return buildReferenceCnn({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, widths: [8, 8, 8], seed });
}

/** Every variable's values in model.weights order (names differ between builds of auto-named layers). */
export async function weightValues(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.weights.map(async (variable) => (await variable.read().data()) as Float32Array));
}

/** Keeps every saved checkpoint in memory; `resumeFrom` is what load() hands back. */
export function memoryCheckpointStore(every: number, resumeFrom: TrainCheckpoint | null = null) {
  const saved: TrainCheckpoint[] = [];
  const store: CheckpointStore = {
    every,
    load: async () => resumeFrom,
    save: async (checkpoint) => {
      saved.push(checkpoint);
    },
  };
  return { store, saved };
}
