import type * as tf from '@tensorflow/tfjs';
import { buildMobilenet } from './mobilenet.ts';
import { buildReferenceCnn } from './reference-cnn.ts';
import { buildResnet } from './resnet.ts';
import { scaleWidth } from './blocks.ts';

export const SEED_MODEL_NAMES = ['reference-cnn', 'resnet', 'mobilenet'] as const;
export type SeedModelName = (typeof SEED_MODEL_NAMES)[number];

export interface SeedModelOptions {
  inputShape: [number, number, number];
  numClasses: number;
  /** Uniform scale of every hidden width (rounded, at least 1). Default 1. */
  widthMultiplier?: number;
  /** FiGS gates after each conv's BN, for the logistic-sigmoid regularizer. */
  gated?: boolean;
  seed?: number;
}

/** Build a seed network. Gated and ungated variants share layer names, so one structure fits both. */
export function buildSeedModel(name: SeedModelName, options: SeedModelOptions): tf.LayersModel {
  const widthMultiplier = options.widthMultiplier ?? 1;
  if (!(widthMultiplier > 0) || !Number.isFinite(widthMultiplier)) {
    throw new RangeError(`widthMultiplier must be a positive number, got ${widthMultiplier}`);
  }
  switch (name) {
    case 'reference-cnn':
      return buildReferenceCnn({
        inputShape: options.inputShape,
        numClasses: options.numClasses,
        widths: [32, 64, 128].map((w) => scaleWidth(w, widthMultiplier)) as [number, number, number],
        gated: options.gated,
        seed: options.seed,
      });
    case 'resnet':
      return buildResnet(options);
    case 'mobilenet':
      return buildMobilenet(options);
    default:
      throw new RangeError(`unknown seed network "${String(name)}"; use one of ${SEED_MODEL_NAMES.join(', ')}`);
  }
}
