import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Dataset } from '../data/types.ts';
import { InvalidTrainingSetupError } from './errors.ts';
import { runTrainingLoop, type LoopHooks, type LoopResult, type TrainingRegularizer } from './loop.ts';
import { parseTrainingKnobs, type TrainingKnobs, type TrainingKnobsInput } from './options.ts';

/**
 * Training for MorphSweep: structure learning (task loss + strength x MorphNet term + weight
 * decay) and retraining of the rebuilt network, through one loop with deterministic batches,
 * exact resume from checkpoints, and evaluation on recalibrated batch-norm statistics.
 */

export type LearnStructureOptions = TrainingKnobsInput &
  LoopHooks & {
    model: tf.LayersModel;
    dataset: Dataset;
    regularizer: TrainingRegularizer;
    /** Multiplies the regularization term; MorphNet searches a log grid around 1/(initial cost). */
    strength: number;
  };

export interface LearnStructureResult extends LoopResult {
  /** Cost of the structure proposed at the end (hard alive counts). */
  finalCost: number;
  aliveCounts: Record<string, number>;
  costByLayer: Record<string, number>;
}

export type RetrainOptions = TrainingKnobsInput &
  LoopHooks & {
    /** The network rebuilt from a learned structure (fresh weights). */
    model: tf.LayersModel;
    dataset: Dataset;
  };

export type RetrainResult = LoopResult;

const StrengthSchema = z.number().finite().min(0);

function splitHooks<T extends LoopHooks>(options: T) {
  const { onProgress, onFinalEvaluation, checkpoint, signal, shouldStop, ...rest } = options;
  return { hooks: { onProgress, onFinalEvaluation, checkpoint, signal, shouldStop }, rest };
}

export async function learnStructure(options: LearnStructureOptions): Promise<LearnStructureResult> {
  const { hooks, rest } = splitHooks(options);
  const { model, dataset, regularizer, strength, ...knobInput } = rest;
  const problems: string[] = [];
  if (!StrengthSchema.safeParse(strength).success) problems.push(`strength must be a finite number >= 0, got ${strength}`);
  if (!regularizer) problems.push('learnStructure needs a regularizer; use retrain to train without one');
  let knobs: TrainingKnobs | undefined;
  try {
    knobs = parseTrainingKnobs(knobInput);
  } catch (error) {
    if (!(error instanceof InvalidTrainingSetupError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || !knobs) throw new InvalidTrainingSetupError(problems);
  const loopResult = await runTrainingLoop({ model, dataset, regularizer, strength, knobs, ...hooks });
  return {
    ...loopResult,
    finalCost: regularizer.cost(),
    aliveCounts: regularizer.aliveCounts(),
    costByLayer: regularizer.costByLayer(),
  };
}

export async function retrain(options: RetrainOptions): Promise<RetrainResult> {
  const { hooks, rest } = splitHooks(options);
  const { model, dataset, ...knobInput } = rest;
  const knobs = parseTrainingKnobs(knobInput);
  return runTrainingLoop({ model, dataset, strength: 0, knobs, ...hooks });
}

export { evaluate, type EvaluateOptions, type Evaluation, type SplitName } from './evaluate.ts';
export { recalibrateBatchNorm, type RecalibrationOptions } from './batch-norm-recalibration.ts';
export {
  serializeCheckpoint,
  deserializeCheckpoint,
  checkpointToRecord,
  checkpointFromRecord,
  type TrainCheckpoint,
  type OptimizerState,
  type RngState,
  type CheckpointRecord,
} from './checkpoint.ts';
export type { NamedArray } from './tensor-bundle.ts';
export { NonFiniteLossError, InvalidTrainingSetupError, CorruptCheckpointError, type NonFiniteLossDetails } from './errors.ts';
export type { TrainProgress, CheckpointStore, TrainingRegularizer, LoopResult } from './loop.ts';
export type { NoiseSeededLayer } from './noise-seed.ts';
export { TrainingKnobsSchema, type TrainingKnobs, type TrainingKnobsInput } from './options.ts';
