import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../data/random.ts';

/**
 * A layer that samples noise while training (the FiGS logistic-sigmoid gate). Before every training
 * step the loop calls setNoiseSeed(seed, step) with a seed derived from (run seed, step, layer
 * position). The layer must draw that step's noise only from this seed (e.g. tf.randomUniform(shape,
 * 0, 1, 'float32', seed)) and derive any schedule (temperature annealing) from `step`, not from a
 * call counter. Its randomness then depends on nothing but the checkpointed step, so a resumed run
 * samples exactly what the uninterrupted run sampled, with no layer state to save.
 */
export interface NoiseSeededLayer {
  /** `step` is the 1-based step about to run. */
  setNoiseSeed(seed: number, step: number): void;
}

const LAYER_NOISE_PURPOSE = 0x7a41_0001;

function isNoiseSeeded(layer: unknown): layer is NoiseSeededLayer {
  return typeof (layer as Partial<NoiseSeededLayer>).setNoiseSeed === 'function';
}

/** Every noise-sampling layer of the model, nested models included, in a stable order. */
export function findNoiseSeededLayers(model: tf.LayersModel): NoiseSeededLayer[] {
  const found: NoiseSeededLayer[] = [];
  const visit = (layers: tf.layers.Layer[]) => {
    for (const layer of layers) {
      if (isNoiseSeeded(layer)) found.push(layer);
      if (layer instanceof tf.LayersModel) visit(layer.layers);
    }
  };
  visit(model.layers);
  return found;
}

export function seedNoiseForStep(layers: NoiseSeededLayer[], runSeed: number, step: number): void {
  layers.forEach((layer, index) => layer.setNoiseSeed(mixSeed(LAYER_NOISE_PURPOSE, runSeed, step, index), step));
}
