import { z } from 'zod';

/**
 * The one sweep definition that the CLI, the HTTP API and the dashboard accept. Pure (no Node APIs)
 * so that workflows and the web app can import it.
 */

export const REGULARIZER_ALGORITHMS = ['gamma', 'group-lasso', 'logistic-sigmoid'] as const;
export const COST_KINDS = ['flops', 'model-size', 'latency'] as const;
export const SEED_NETWORKS = ['reference-cnn', 'resnet', 'mobilenet'] as const;
export const OPTIMIZERS = ['adam', 'sgd', 'momentum', 'rmsprop'] as const;

export type RegularizerAlgorithm = (typeof REGULARIZER_ALGORITHMS)[number];
export type CostKind = (typeof COST_KINDS)[number];
export type SeedNetwork = (typeof SEED_NETWORKS)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];

const positive = z.number().finite().positive();

/** Strengths: an explicit list, or a log grid centred on 1/(initial cost) unless `center` is given. */
export const StrengthsSchema = z.union([
  z.object({ values: z.array(positive).min(1).max(1000) }).strict(),
  z
    .object({
      grid: z
        .object({
          decades: z.number().finite().min(0).max(8).default(2),
          perDecade: z.number().int().min(1).max(20).default(2),
          center: positive.optional(),
        })
        .strict(),
    })
    .strict(),
]);

export const SweepConfigSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    tags: z.array(z.string().trim().min(1).max(64)).max(32).default([]),
    dataset: z.string().min(1).max(500), // a src/data registry spec: fashion-mnist, synthetic:..., mnist-idx:DIR
    network: z
      .object({
        name: z.enum(SEED_NETWORKS),
        widthMultiplier: positive.max(8).default(1),
      })
      .strict(),
    regularizer: z
      .object({
        algorithm: z.enum(REGULARIZER_ALGORITHMS),
        cost: z.enum(COST_KINDS),
        hardware: z.string().min(1).max(64).optional(),
      })
      .strict(),
    thresholds: z.array(positive).min(1).max(100),
    strengths: StrengthsSchema,
    training: z
      .object({
        steps: z.number().int().min(1).max(1_000_000).optional(),
        epochs: z.number().finite().positive().max(1000).optional(),
        batchSize: z.number().int().min(1).max(4096).default(64),
        learningRate: positive.max(10).default(0.01),
        optimizer: z.enum(OPTIMIZERS).default('momentum'),
        weightDecay: z.number().finite().min(0).max(1).default(5e-4),
        evalEvery: z.number().int().min(1).default(50),
        checkpointEvery: z.number().int().min(1).default(50),
      })
      .strict(),
    seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).max(100).default([0]),
    concurrency: z.number().int().min(1).max(1024).default(4),
  })
  .strict()
  .superRefine((config, ctx) => {
    const { steps, epochs } = config.training;
    if ((steps === undefined) === (epochs === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['training'],
        message: 'give exactly one of training.steps or training.epochs',
      });
    }
    if (config.regularizer.cost === 'latency' && !config.regularizer.hardware) {
      ctx.addIssue({
        code: 'custom',
        path: ['regularizer', 'hardware'],
        message: 'latency cost needs a hardware name (e.g. "V100", "T4")',
      });
    }
    if (config.regularizer.cost !== 'latency' && config.regularizer.hardware) {
      ctx.addIssue({
        code: 'custom',
        path: ['regularizer', 'hardware'],
        message: 'hardware only applies to the latency cost',
      });
    }
    if (new Set(config.thresholds).size !== config.thresholds.length) {
      ctx.addIssue({ code: 'custom', path: ['thresholds'], message: 'thresholds must be distinct' });
    }
    if (new Set(config.seeds).size !== config.seeds.length) {
      ctx.addIssue({ code: 'custom', path: ['seeds'], message: 'seeds must be distinct' });
    }
  });

export type SweepConfigInput = z.input<typeof SweepConfigSchema>;
export type SweepConfig = z.output<typeof SweepConfigSchema>;

/** One problem in a rejected config: where, what was there, and why it is wrong. */
export interface ConfigProblem {
  path: string;
  message: string;
  value?: unknown;
}

export class InvalidSweepConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid sweep config (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n'),
    );
    this.name = 'InvalidSweepConfigError';
  }
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Validate untrusted input; every problem is listed at once, never only the first. */
export function parseSweepConfig(input: unknown): SweepConfig {
  const result = SweepConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidSweepConfigError(
    result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
      value: valueAt(input, issue.path),
    })),
  );
}
