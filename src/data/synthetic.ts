import { z } from 'zod';
import { DatasetError } from './errors.ts';
import { createNormalRng, createRng, mixSeed, SEED_PURPOSE } from './random.ts';
import type { RawDataset, RawSplit } from './types.ts';

/**
 * Synthetic images for tests and demos: each class is an oriented sine grating with its own
 * orientation and period, drawn with a random phase per image plus Gaussian pixel noise. The class
 * lives in local texture rather than position, so a small CNN with global average pooling learns it
 * in ~100 steps, while the noise and phase keep it from being trivially memorized.
 */

const ORIENTATIONS = 4; // 0, 45, 90, 135 degrees
const PERIODS_PX = [6, 3.5, 2.5];
const MAX_CLASSES = ORIENTATIONS * PERIODS_PX.length;

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const SyntheticParamsSchema = z
  .object({
    classes: integer(2, MAX_CLASSES).default(3),
    size: integer(4, 256).default(8),
    channels: integer(1, 4).default(1),
    train: integer(2, 1_000_000).default(512),
    test: integer(1, 1_000_000).default(128),
    seed: integer(0, 2 ** 32 - 1).default(0),
    /** Standard deviation of the pixel noise, in units of the [0, 1] intensity range. */
    noise: z.coerce.number().min(0).max(1).default(0.15),
  })
  .strict();

export type SyntheticParams = z.infer<typeof SyntheticParamsSchema>;

/** Parses the `key=value,...` part of `synthetic:<params>`; an empty string gives every default. */
export function parseSyntheticParams(text: string, spec: string): SyntheticParams {
  const entries: Record<string, string> = {};
  for (const pair of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [key, value, ...extra] = pair.split('=');
    if (!key || value === undefined || value === '' || extra.length > 0) {
      throw new DatasetError(`dataset spec "${spec}": "${pair}" is not key=value. ${SYNTHETIC_USAGE}`);
    }
    if (key in entries) throw new DatasetError(`dataset spec "${spec}": ${key} is given twice. ${SYNTHETIC_USAGE}`);
    entries[key] = value;
  }
  const parsed = SyntheticParamsSchema.safeParse(entries);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      .join('; ');
    throw new DatasetError(`dataset spec "${spec}": ${problems}. ${SYNTHETIC_USAGE}`);
  }
  return parsed.data;
}

export const SYNTHETIC_KEYS =
  `classes (2-${MAX_CLASSES}, default 3), size (4-256, default 8), ` +
  'channels (1-4, default 1), train (default 512), test (default 128), seed (default 0), noise (0-1, default 0.15)';
export const SYNTHETIC_USAGE = `Use synthetic:key=value,... with keys ${SYNTHETIC_KEYS}.`;

/** The spec's parameters in a fixed order, so equal datasets share one cache entry. */
export function canonicalSyntheticParams(params: SyntheticParams): string {
  return Object.keys(SyntheticParamsSchema.shape)
    .map((key) => `${key}=${params[key as keyof SyntheticParams]}`)
    .join(',');
}

export function generateSynthetic(params: SyntheticParams): RawDataset {
  const classNames = Array.from({ length: params.classes }, (_, label) => {
    const { angleDeg, periodPx } = gratingOf(label);
    return `grating ${angleDeg}deg / ${periodPx}px`;
  });
  return {
    name: 'synthetic',
    inputShape: [params.size, params.size, params.channels],
    numClasses: params.classes,
    classNames,
    train: generateSplit(params, params.train, 0),
    test: generateSplit(params, params.test, 1),
  };
}

function gratingOf(label: number): { angleDeg: number; periodPx: number } {
  return { angleDeg: (label % ORIENTATIONS) * (180 / ORIENTATIONS), periodPx: PERIODS_PX[Math.floor(label / ORIENTATIONS)] };
}

function generateSplit(params: SyntheticParams, count: number, stream: number): RawSplit {
  const { size, channels, classes, noise } = params;
  const uniform = createRng(mixSeed(SEED_PURPOSE.synthetic, params.seed, stream));
  const normal = createNormalRng(uniform);
  const pixels = new Uint8Array(count * size * size * channels);
  const labels = new Int32Array(count);
  let offset = 0;
  for (let example = 0; example < count; example++) {
    const label = example % classes; // balanced classes; loadDataset shuffles
    labels[example] = label;
    const { angleDeg, periodPx } = gratingOf(label);
    const angleRad = (angleDeg * Math.PI) / 180;
    const waveX = (Math.cos(angleRad) * 2 * Math.PI) / periodPx;
    const waveY = (Math.sin(angleRad) * 2 * Math.PI) / periodPx;
    const phase = uniform() * 2 * Math.PI;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let channel = 0; channel < channels; channel++) {
          // A per-channel phase shift gives colour images some hue without changing the class cue.
          const clean = 0.5 + 0.4 * Math.sin(waveX * x + waveY * y + phase + (channel * Math.PI) / 3);
          const intensity = clean + noise * normal();
          pixels[offset++] = Math.round(255 * Math.min(1, Math.max(0, intensity)));
        }
      }
    }
  }
  return { pixels, labels, count };
}
