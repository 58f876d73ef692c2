import { z } from 'zod';
import { OPTIMIZERS } from './optimizer-names.ts';
import { InvalidTrainingSetupError } from './errors.ts';

/**
 * The numeric knobs of one training run, validated once at the boundary of learnStructure/retrain.
 * Objects (model, dataset, regularizer, callbacks) are checked separately: zod cannot say much
 * about a tf.LayersModel.
 */
export const TrainingKnobsSchema = z
  .object({
    steps: z.number().int().min(1).max(10_000_000).optional(),
    epochs: z.number().finite().positive().max(10_000).optional(),
    // Momentum SGD at a fixed 0.05: measured on Fashion-MNIST, Adam at 1e-3 left the gammas (and the
    // cost) untouched after 150 steps even at 10/(initial cost), and momentum at 0.01 pruned nothing
    // at 1/(initial cost), where 0.05 cut the FLOPs to 37%.
    optimizer: z.enum(OPTIMIZERS).default('momentum'),
    learningRate: z.number().finite().positive().default(0.05),
    /** Only used by the 'momentum' optimizer. */
    momentum: z.number().finite().min(0).max(0.999).default(0.9),
    /** Coupled L2 on conv/dense kernels: adds 0.5 * weightDecay * sum(w^2) to the loss. */
    weightDecay: z.number().finite().min(0).max(1).default(5e-4),
    batchSize: z.number().int().min(1).max(65_536).default(64),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
    evalEvery: z.number().int().min(1).default(50),
    evalBatchSize: z.number().int().min(1).max(65_536).default(256),
    /** Validation examples scored at the periodic evaluations; the last step scores the whole split. */
    periodicEvalSamples: z.number().int().min(1).default(1024),
    recalibrateBatchNorm: z.boolean().default(true),
    /** Training examples whose statistics replace the batch-norm moving averages before each eval. */
    calibrationSamples: z.number().int().min(1).default(512),
  })
  .strict()
  .superRefine((knobs, ctx) => {
    if ((knobs.steps === undefined) === (knobs.epochs === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['steps'], message: 'give exactly one of steps or epochs' });
    }
  });

export type TrainingKnobsInput = z.input<typeof TrainingKnobsSchema>;
export type TrainingKnobs = z.output<typeof TrainingKnobsSchema>;

export function parseTrainingKnobs(input: unknown): TrainingKnobs {
  const result = TrainingKnobsSchema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidTrainingSetupError(
    result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(options)'}: ${issue.message}`),
  );
}
