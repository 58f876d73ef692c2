import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/types.ts';
import { BatchSchedule } from './batches.ts';
import { captureCheckpoint, restoreCheckpoint, type RngState, type TrainCheckpoint } from './checkpoint.ts';
import { InvalidTrainingSetupError } from './errors.ts';
import { evaluate, evaluateInSlices, type Evaluation } from './evaluate.ts';
import { findNoiseSeededLayers, seedNoiseForStep } from './noise-seed.ts';
import { createOptimizer, disposeOptimizer } from './optimizer.ts';
import type { TrainingKnobs } from './options.ts';
import { modelDatasetProblems } from './setup-checks.ts';
import { createStepRunner, type StepLosses } from './train-step.ts';

/**
 * What the loop needs from a MorphNet network regularizer (src/morphnet's NetworkRegularizer
 * satisfies it structurally; src/train does not import src/morphnet).
 */
export interface TrainingRegularizer {
  regularizationTerm(): tf.Scalar;
  cost(): number;
  costByLayer(): Record<string, number>;
  aliveCounts(): Record<string, number>;
  /**
   * Zero the channels the structure counts dead and return the restore function: evaluations then
   * score the network whose cost cost() reports, not the trained seed.
   */
  switchOffDeadChannels?(): () => void;
}

export interface TrainProgress {
  /** Steps completed, 1..totalSteps. */
  step: number;
  totalSteps: number;
  epoch: number;
  taskLoss: number;
  /** strength x regularization term (0 without a regularizer). */
  regLoss: number;
  weightDecayLoss: number;
  /** Cost of the structure proposed after this step (only with a regularizer). */
  cost?: number;
  aliveCounts?: Record<string, number>;
  /**
   * Present on evaluation steps (every evalEvery steps, on the first periodicEvalSamples validation
   * examples, and the last step, on all of them) when there is a validation split.
   */
  valAccuracy?: number;
  valLoss?: number;
}

/** Where checkpoints live (the caller's choice: Postgres rows, files, memory). */
export interface CheckpointStore {
  /** Save after every `every` steps (never after the last: the caller stores the final result). */
  every: number;
  load(): Promise<TrainCheckpoint | null>;
  save(checkpoint: TrainCheckpoint): Promise<void>;
}

export interface LoopHooks {
  onProgress?: (progress: TrainProgress) => void | Promise<void>;
  /**
   * Called between the batches of the final evaluations (the whole validation and test splits), which
   * can outlast a heartbeat timeout on a large split: the caller keeps its liveness signal going.
   */
  onFinalEvaluation?: (split: 'validation' | 'test', examplesDone: number, examples: number) => void;
  checkpoint?: CheckpointStore;
  /** Aborting stops before the next step and rethrows signal.reason (e.g. Temporal's cancellation). */
  signal?: AbortSignal;
  /**
   * Asked after every step: true ends training there as if it were the last step (full validation,
   * then test). A target-cost search stops probes whose cost settled clearly off target.
   */
  shouldStop?: (progress: TrainProgress) => boolean;
}

export interface LoopResult {
  steps: number;
  /** The step a checkpoint let this call start after (0 when it started fresh). */
  resumedFromStep: number;
  /** Losses of the last training step. */
  taskLoss: number;
  regLoss: number;
  weightDecayLoss: number;
  /** null when the dataset has no validation split. */
  valAccuracy: number | null;
  valLoss: number | null;
  testAccuracy: number;
  testLoss: number;
  durationMs: number;
}

interface LoopInput extends LoopHooks {
  model: tf.LayersModel;
  dataset: Dataset;
  regularizer?: TrainingRegularizer;
  strength: number;
  knobs: TrainingKnobs;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The one loop behind learnStructure and retrain. */
export async function runTrainingLoop(input: LoopInput): Promise<LoopResult> {
  const startedAt = performance.now();
  const { model, dataset, regularizer, strength, knobs, signal } = input;
  const setupProblems = modelDatasetProblems(model, dataset, knobs.batchSize);
  if (input.checkpoint && !(Number.isInteger(input.checkpoint.every) && input.checkpoint.every >= 1)) {
    setupProblems.push(`checkpoint.every must be a positive integer, got ${input.checkpoint.every}`);
  }
  if (setupProblems.length > 0) throw new InvalidTrainingSetupError(setupProblems);

  const schedule = new BatchSchedule(dataset.train.count, knobs.batchSize, knobs.seed);
  const totalSteps = knobs.steps ?? Math.max(1, Math.round(knobs.epochs! * schedule.stepsPerEpoch));
  const rngState: RngState = { scheme: 'per-step-seed-v1', seed: knobs.seed };
  const optimizer = createOptimizer(knobs.optimizer, knobs.learningRate, knobs.momentum);
  try {
    const resumedFromStep = await resumeIfCheckpointed(input, optimizer, totalSteps);
    const runStep = createStepRunner({ model, dataset, schedule, optimizer, regularizer, strength, weightDecay: knobs.weightDecay });
    const noiseLayers = findNoiseSeededLayers(model);
    const evalOptions = {
      recalibrateBatchNorm: knobs.recalibrateBatchNorm,
      batchSize: knobs.evalBatchSize,
      calibrationSamples: knobs.calibrationSamples,
    };

    const finalEvaluationSlice = (split: 'validation' | 'test') => async (examplesDone: number, examples: number) => {
      input.onFinalEvaluation?.(split, examplesDone, examples);
      await yieldToEventLoop();
    };

    let lastLosses: StepLosses = { taskLoss: NaN, regLoss: NaN, weightDecayLoss: NaN };
    let lastValidation: Evaluation | null = null;
    let savedStep = resumedFromStep;
    let stepsDone = resumedFromStep;
    for (let step = resumedFromStep + 1; step <= totalSteps; step++) {
      if (signal?.aborted) {
        // Stopping mid-run (e.g. a worker shutting down): save the steps done so a resume loses none.
        if (input.checkpoint && step - 1 > savedStep) {
          await input.checkpoint.save(await captureCheckpoint(step - 1, model, optimizer, knobs.optimizer, rngState));
        }
        signal.throwIfAborted();
      }
      seedNoiseForStep(noiseLayers, knobs.seed, step);
      lastLosses = runStep(step);

      const progress: TrainProgress = { step, totalSteps, epoch: schedule.epochOf(step), ...lastLosses };
      if (regularizer) {
        progress.cost = regularizer.cost();
        progress.aliveCounts = regularizer.aliveCounts();
      }
      if ((step % knobs.evalEvery === 0 || step === totalSteps) && dataset.validation.count > 0) {
        // Periodic evaluations score a fixed subset so a large validation split cannot dominate
        // training time; the final one scores everything.
        lastValidation = await evaluatePruned(regularizer, () =>
          step === totalSteps
            ? evaluateInSlices(model, dataset, 'validation', evalOptions, finalEvaluationSlice('validation'))
            : evaluate(model, dataset, 'validation', { ...evalOptions, maxExamples: knobs.periodicEvalSamples }),
        );
        progress.valAccuracy = lastValidation.accuracy;
        progress.valLoss = lastValidation.loss;
      }
      await input.onProgress?.(progress);
      stepsDone = step;
      if (step < totalSteps && input.shouldStop?.(progress)) {
        if (dataset.validation.count > 0) {
          lastValidation = await evaluatePruned(regularizer, () => evaluateInSlices(model, dataset, 'validation', evalOptions, finalEvaluationSlice('validation')));
        }
        break;
      }
      if (input.checkpoint && step % input.checkpoint.every === 0 && step < totalSteps) {
        await input.checkpoint.save(await captureCheckpoint(step, model, optimizer, knobs.optimizer, rngState));
        savedStep = step;
      }
      await yieldToEventLoop();
    }

    // Without a validation split nothing has recalibrated the final weights' statistics yet.
    const testOptions = { ...evalOptions, recalibrateBatchNorm: knobs.recalibrateBatchNorm && !lastValidation };
    const test = await evaluatePruned(regularizer, () => evaluateInSlices(model, dataset, 'test', testOptions, finalEvaluationSlice('test')));
    return {
      steps: stepsDone,
      resumedFromStep,
      ...lastLosses,
      valAccuracy: lastValidation?.accuracy ?? null,
      valLoss: lastValidation?.loss ?? null,
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      durationMs: performance.now() - startedAt,
    };
  } finally {
    disposeOptimizer(optimizer);
  }
}

/**
 * An evaluation of the network the regularizer's structure describes (dead channels off); training
 * waits for it, so the switched-off channels are back before the next step.
 */
async function evaluatePruned(regularizer: TrainingRegularizer | undefined, run: () => Evaluation | Promise<Evaluation>): Promise<Evaluation> {
  const restore = regularizer?.switchOffDeadChannels?.();
  try {
    return await run();
  } finally {
    restore?.();
  }
}

async function resumeIfCheckpointed(input: LoopInput, optimizer: tf.Optimizer, totalSteps: number): Promise<number> {
  const saved = await input.checkpoint?.load();
  if (!saved) return 0;
  const problems: string[] = [];
  if (saved.rngState.seed !== input.knobs.seed) {
    problems.push(
      `checkpoint was taken with seed ${saved.rngState.seed} but this run has seed ${input.knobs.seed}; ` +
        'resume with the same seed or discard the checkpoint',
    );
  }
  if (!(Number.isInteger(saved.step) && saved.step >= 0 && saved.step < totalSteps)) {
    problems.push(
      `checkpoint is at step ${saved.step} but this run has ${totalSteps} steps; it belongs to a different ` +
        'configuration, discard it',
    );
  }
  if (problems.length > 0) throw new InvalidTrainingSetupError(problems);
  await restoreCheckpoint(saved, input.model, optimizer, input.knobs.optimizer);
  return saved.step;
}
