import { z } from 'zod';
// The device table is plain data (no TF.js), so the pure schema can name the known devices.
import { DEVICE_NAMES } from '../morphnet/devices.ts';
import { COST_KINDS, REGULARIZER_ALGORITHMS, type CostKind, type RegularizerAlgorithm } from '../morphnet/kinds.ts';
import { strengthGridSize } from '../morphnet/strengths.ts';
import { humanIssueMessage } from './human-issues.ts';
import { OPTIMIZERS, type OptimizerName } from '../train/optimizer-names.ts';

/**
 * The one sweep definition that the CLI, the HTTP API and the dashboard accept. Pure (no Node APIs)
 * so that workflows and the web app can import it.
 */

export { REGULARIZER_ALGORITHMS, COST_KINDS, OPTIMIZERS, type RegularizerAlgorithm, type CostKind, type OptimizerName };
export const SEED_NETWORKS = ['reference-cnn', 'resnet', 'mobilenet'] as const;

export type SeedNetwork = (typeof SEED_NETWORKS)[number];

/**
 * Every run stores its latency on one device even when the regularizer targets FLOPs or model size,
 * so the dashboard can switch axes. MorphNet's own examples use the V100; so do we unless told.
 */
export const DEFAULT_LATENCY_HARDWARE = 'V100';

/** Past this many grid points a sweep is almost certainly a typo (and would flood the store). */
export const MAX_RUNS_PER_SWEEP = 10_000;

const positive = z.number().finite().positive();

/** A stored user model's content address (src/models/user-model-json.ts computes it). */
export const USER_MODEL_ID_PATTERN = /^sha256:[0-9a-f]{64}$/;

const SeedNetworkSchema = z
  .object({
    name: z.enum(SEED_NETWORKS),
    widthMultiplier: positive.max(8).default(1),
  })
  .strict();

/**
 * The user's own network, by the id it was stored under. `initialWeights`: 'stored' fine-tunes from
 * the uploaded weights, 'fresh' starts from the layers' initializers; absent, the weights are used
 * when the model has them.
 */
const UserNetworkSchema = z
  .object({
    model: z.string().regex(USER_MODEL_ID_PATTERN, {
      error:
        'must be a stored model\'s id "sha256:<64 hex digits>": upload the model.json first (POST /api/models answers with its id); ' +
        'a path works only in a config file given to the CLI, which uploads it',
    }),
    initialWeights: z.enum(['stored', 'fresh']).optional(),
  })
  .strict();

export type SeedNetworkConfig = z.output<typeof SeedNetworkSchema>;
export type UserNetworkConfig = z.output<typeof UserNetworkSchema>;

export function isUserNetwork(network: SeedNetworkConfig | UserNetworkConfig): network is UserNetworkConfig {
  return 'model' in network;
}

/**
 * Strengths: an explicit list, or MorphNet's log grid: `decades` on each side of the centre,
 * `perDecade` points per decade (2 x decades x perDecade + 1 strengths), centred on 1/(initial cost)
 * unless `center` is given.
 */
export const StrengthsSchema = z.union(
  [
    z.object({ values: z.array(positive).min(1).max(1000) }).strict(),
    z
      .object({
        grid: z
          .object({
            decades: z.number().finite().min(0).max(8).default(1),
            perDecade: z.number().int().min(1).max(20).default(2),
            center: positive.optional(),
          })
          .strict(),
      })
      .strict(),
  ],
  { error: 'give {"values": [positive numbers]}, {"grid": {"decades", "perDecade", "center"?}} or {"target": {"cost" | "fractionOfSeed", "tolerance"?}}' },
);

/**
 * A target-cost search instead of a grid (src/sweep/target-search.ts): the strength is searched until
 * a structure's cost lands within `tolerance` (relative) of the target, an absolute cost on the
 * sweep's axis or a fraction of the seed network's.
 */
export const TargetStrengthsSchema = z
  .object({
    target: z
      .object({
        cost: positive.optional(),
        fractionOfSeed: z.number().gt(0).lt(1, 'must be below 1: a learned structure is never bigger than its seed').optional(),
        tolerance: z.number().gt(0).max(0.5).default(0.05),
        maxRounds: z.number().int().min(1).max(30).default(8),
      })
      .strict()
      .refine((target) => (target.cost === undefined) !== (target.fractionOfSeed === undefined), {
        message: 'give exactly one of cost (absolute, on the sweep\'s cost axis) or fractionOfSeed',
      }),
  })
  .strict();

export type TargetStrengths = z.output<typeof TargetStrengthsSchema>['target'];

export function targetOf(config: { strengths: unknown }): TargetStrengths | undefined {
  const strengths = config.strengths as { target?: TargetStrengths };
  return strengths.target;
}

const AnyStrengthsSchema = z.union([StrengthsSchema, TargetStrengthsSchema], {
  error: 'give {"values": [positive numbers]}, {"grid": {"decades", "perDecade", "center"?}} or {"target": {"cost" | "fractionOfSeed", "tolerance"?}}',
});

const SweepConfigBaseSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    tags: z.array(z.string().trim().min(1).max(64)).max(32).default([]),
    dataset: z.string().min(1).max(500), // a src/data registry spec: fashion-mnist, synthetic:..., mnist-idx:DIR
    // Caps the examples loaded per split (train/test), so a sweep can stay small on a laptop.
    dataLimit: z.number().int().min(1).optional(),
    // Points are picked on validation accuracy, so the test split stays unseen until the end.
    validationFraction: z
      .number()
      .finite()
      .gt(0, 'must be > 0: sweep points are picked on validation accuracy, never on the test split')
      .max(0.5)
      .default(0.1),
    network: z.union([SeedNetworkSchema, UserNetworkSchema], {
      error: `give a seed network {"name": one of ${SEED_NETWORKS.join(', ')}, "widthMultiplier"?} or a stored model {"model": "sha256:<id>", "initialWeights"?: "stored" | "fresh"}`,
    }),
    regularizer: z
      .object({
        algorithm: z.enum(REGULARIZER_ALGORITHMS),
        cost: z.enum(COST_KINDS),
        // The device for the latency cost (target or stored axis); DEFAULT_LATENCY_HARDWARE if absent.
        hardware: z
          .string()
          .refine((name) => DEVICE_NAMES.includes(name), { error: `unknown device; known devices: ${DEVICE_NAMES.join(', ')}` })
          .optional(),
      })
      .strict(),
    thresholds: z.array(positive).min(1).max(100),
    strengths: AnyStrengthsSchema,
    training: z
      .object({
        steps: z.number().int().min(1).max(1_000_000).optional(),
        epochs: z.number().finite().positive().max(1000).optional(),
        batchSize: z.number().int().min(1).max(4096).default(64),
        // The training library's measured recipe (src/train/options.ts): momentum at 0.01 pruned
        // nothing at 1/(initial cost) on Fashion-MNIST, where 0.05 cut the FLOPs to 37%.
        learningRate: positive.max(10).default(0.05),
        optimizer: z.enum(OPTIMIZERS).default('momentum'),
        weightDecay: z.number().finite().min(0).max(1).default(5e-4),
        evalEvery: z.number().int().min(1).default(50),
        checkpointEvery: z.number().int().min(1).default(50),
      })
      .strict(),
    seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).max(100).default([0]),
    concurrency: z.number().int().min(1).max(1024).default(4),
  })
  .strict();

/** One problem in a rejected config: where, what was there, and why it is wrong. */
export interface ConfigProblem {
  path: string;
  message: string;
  value?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasDuplicates(values: unknown): boolean {
  return Array.isArray(values) && new Set(values).size !== values.length;
}

/**
 * Rules that span fields. They read the raw input defensively so they run even when other fields
 * are broken: a user fixing a config sees every problem in one round trip.
 */
function crossFieldProblems(input: unknown): ConfigProblem[] {
  if (!isRecord(input)) return [];
  const problems: ConfigProblem[] = [];
  const training = input.training;
  if (isRecord(training) && (training.steps === undefined) === (training.epochs === undefined)) {
    problems.push({
      path: 'training',
      message: 'give exactly one of training.steps or training.epochs',
      value: { steps: training.steps, epochs: training.epochs },
    });
  }
  if (hasDuplicates(input.thresholds)) {
    problems.push({ path: 'thresholds', message: 'thresholds must be distinct', value: input.thresholds });
  }
  if (hasDuplicates(input.seeds)) {
    problems.push({ path: 'seeds', message: 'seeds must be distinct', value: input.seeds });
  }
  const strengths = input.strengths;
  if (hasDuplicates(isRecord(strengths) ? strengths.values : undefined)) {
    problems.push({ path: 'strengths.values', message: 'strengths must be distinct', value: (strengths as Record<string, unknown>).values });
  }
  if (isRecord(strengths) && isRecord(strengths.target)) {
    // One search per sweep: it moves the strength alone.
    for (const field of ['thresholds', 'seeds'] as const) {
      const values = input[field];
      if (Array.isArray(values) && values.length > 1) {
        problems.push({ path: field, message: `a target-cost search takes one ${field.slice(0, -1)}; run one sweep per value`, value: values });
      }
    }
  }
  const runCount = plannedRunCount(input);
  if (runCount !== undefined && runCount > MAX_RUNS_PER_SWEEP) {
    problems.push({
      path: 'strengths',
      message: `this sweep has ${runCount} grid points (strengths x thresholds x seeds); the limit is ${MAX_RUNS_PER_SWEEP}: split it into several sweeps`,
      value: runCount,
    });
  }
  return problems;
}

/** Grid points a raw config asks for, when it can be told before measuring the seed network (the form's preview too). */
export function plannedRunCount(input: Record<string, unknown>): number | undefined {
  const thresholds = Array.isArray(input.thresholds) ? input.thresholds.length : undefined;
  const seeds = input.seeds === undefined ? 1 : Array.isArray(input.seeds) ? input.seeds.length : undefined;
  const strengths = input.strengths;
  let strengthCount: number | undefined;
  if (isRecord(strengths) && Array.isArray(strengths.values)) strengthCount = strengths.values.length;
  if (isRecord(strengths) && isRecord(strengths.grid)) {
    const decades = typeof strengths.grid.decades === 'number' ? strengths.grid.decades : 1;
    const perDecade = typeof strengths.grid.perDecade === 'number' ? strengths.grid.perDecade : 2;
    strengthCount = strengthGridSize({ decades, perDecade });
  }
  if (thresholds === undefined || seeds === undefined || strengthCount === undefined) return undefined;
  return thresholds * seeds * strengthCount;
}

export const SweepConfigSchema = SweepConfigBaseSchema.superRefine((config, ctx) => {
  for (const problem of crossFieldProblems(config)) {
    ctx.addIssue({ code: 'custom', path: problem.path.split('.'), message: problem.message });
  }
});

export type SweepConfigInput = z.input<typeof SweepConfigSchema>;
export type SweepConfig = z.output<typeof SweepConfigSchema>;

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

type Issue = z.core.$ZodIssue;

/**
 * A network that is neither kind fails the union as a whole; the user meant the kind its keys
 * name (a seed network unless it has "model"), so report that branch's own problems, in place.
 */
function withNetworkBranch(issue: Issue, input: unknown): Issue[] {
  if (issue.code !== 'invalid_union' || issue.path.join('.') !== 'network') return [issue];
  const network = valueAt(input, ['network']);
  if (!isRecord(network)) return [issue];
  const branch = issue.errors['model' in network ? 1 : 0];
  if (!branch || branch.length === 0) return [issue];
  return branch.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }) as Issue);
}

/** Validate untrusted input; every problem is listed at once, never only the first. */
export function parseSweepConfig(input: unknown): SweepConfig {
  const result = SweepConfigBaseSchema.safeParse(input, { error: humanIssueMessage });
  const problems: ConfigProblem[] = result.success
    ? []
    : result.error.issues.flatMap((issue) => withNetworkBranch(issue, input)).map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
        value: valueAt(input, issue.path),
      }));
  problems.push(...crossFieldProblems(result.success ? result.data : input));
  if (problems.length > 0) throw new InvalidSweepConfigError(problems);
  return result.data as SweepConfig;
}

/** The device whose latency every run of this sweep records. */
export function latencyHardwareOf(config: SweepConfig): string {
  return config.regularizer.hardware ?? DEFAULT_LATENCY_HARDWARE;
}
