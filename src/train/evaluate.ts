import * as tf from '@tensorflow/tfjs';
import { gatherBatch } from '../data/index.ts';
import type { Dataset } from '../data/types.ts';
import { recalibrateBatchNorm } from './batch-norm-recalibration.ts';
import { taskLossOf } from './losses.ts';

export type SplitName = 'train' | 'validation' | 'test';

export interface EvaluateOptions {
  /** Recompute batch-norm statistics on training data first (changes the model's moving stats). */
  recalibrateBatchNorm?: boolean;
  batchSize?: number;
  /** Training examples used for recalibration; default 512. */
  calibrationSamples?: number;
  /** Evaluate only the split's first N examples (splits are stored shuffled); default all. */
  maxExamples?: number;
}

export interface Evaluation {
  /** Share of correctly classified examples, in [0, 1]; NaN for an empty split. */
  accuracy: number;
  /** Mean softmax cross-entropy over the split. */
  loss: number;
  count: number;
}

/** Accuracy and task loss of the model in inference mode over a whole split. */
export function evaluate(model: tf.LayersModel, dataset: Dataset, split: SplitName, options: EvaluateOptions = {}): Evaluation {
  const batches = evaluationBatches(model, dataset, split, options);
  for (;;) {
    const next = batches.next();
    if (next.done) return next.value;
  }
}

/**
 * The same evaluation, handing control back between batches: `between` runs after each batch (a
 * long final evaluation then lets timers and heartbeats through instead of blocking the event loop).
 */
export async function evaluateInSlices(
  model: tf.LayersModel,
  dataset: Dataset,
  split: SplitName,
  options: EvaluateOptions,
  between: (examplesDone: number, examples: number) => Promise<void>,
): Promise<Evaluation> {
  const batches = evaluationBatches(model, dataset, split, options);
  for (;;) {
    const next = batches.next();
    if (next.done) return next.value;
    await between(next.value.examplesDone, next.value.examples);
  }
}

/** One step per batch (yielding how far it got), returning the evaluation. */
function* evaluationBatches(
  model: tf.LayersModel,
  dataset: Dataset,
  split: SplitName,
  options: EvaluateOptions,
): Generator<{ examplesDone: number; examples: number }, Evaluation> {
  const batchSize = options.batchSize ?? 256;
  if (options.recalibrateBatchNorm) {
    recalibrateBatchNorm(model, dataset, { calibrationSamples: options.calibrationSamples ?? 512, batchSize });
  }
  const { labels } = dataset[split];
  const count = Math.min(dataset[split].count, options.maxExamples ?? Infinity);
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < count; start += batchSize) {
    const indices = Uint32Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
    const [predicted, batchLoss] = tf.tidy(() => {
      const { xs, ys } = gatherBatch(dataset, dataset[split], indices);
      const logits = model.predict(xs) as tf.Tensor;
      return [tf.argMax(logits, -1).dataSync(), taskLossOf(logits, ys).dataSync()[0]];
    });
    predicted.forEach((label, i) => {
      if (label === labels[start + i]) correct++;
    });
    lossSum += batchLoss * indices.length;
    yield { examplesDone: start + indices.length, examples: count };
  }
  return { accuracy: correct / count, loss: lossSum / count, count };
}
