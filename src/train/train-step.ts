import * as tf from '@tensorflow/tfjs';
import { gatherBatch } from '../data/index.ts';
import type { Dataset } from '../data/types.ts';
import type { BatchSchedule } from './batches.ts';
import { NonFiniteLossError } from './errors.ts';
import { decayedKernels, taskLossOf, weightDecayLossOf } from './losses.ts';

/** What the step needs from a MorphNet regularizer: a differentiable term to add to the loss. */
export interface RegularizationTermSource {
  regularizationTerm(): tf.Scalar;
}

export interface StepLosses {
  taskLoss: number;
  /** strength x regularization term. */
  regLoss: number;
  weightDecayLoss: number;
}

export interface StepSetup {
  model: tf.LayersModel;
  dataset: Dataset;
  schedule: BatchSchedule;
  optimizer: tf.Optimizer;
  regularizer?: RegularizationTermSource;
  strength: number;
  weightDecay: number;
}

/**
 * Builds the function that runs one optimization step: forward in training mode on the step's
 * batch, loss = task + strength x term + weight decay, gradients, a health check, then the update.
 * The update is skipped when the loss or any gradient is NaN/Inf, and NonFiniteLossError is thrown.
 */
export function createStepRunner(setup: StepSetup): (step: number) => StepLosses {
  const { model, dataset, schedule, optimizer, regularizer, strength, weightDecay } = setup;
  const trainableWeights = model.trainableWeights;
  const trainableVariables = trainableWeights.map((weight) => weight.read() as tf.Variable);
  const kernels = decayedKernels(model);

  return (step) =>
    tf.tidy(() => {
      const { xs, ys } = gatherBatch(dataset, dataset.train, schedule.indicesFor(step));
      let parts: tf.Scalar[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(xs, { training: true }) as tf.Tensor;
        parts = [
          taskLossOf(logits, ys),
          // Skipped at strength 0 so a run that does not use the regularizer pays nothing for it.
          regularizer && strength > 0 ? tf.mul(regularizer.regularizationTerm(), strength) : tf.scalar(0),
          weightDecayLossOf(kernels, weightDecay),
        ].map((part) => tf.keep(part as tf.Scalar));
        return tf.addN(parts);
      }, trainableVariables);
      const gradients = trainableVariables.map((variable) => grads[variable.name]);
      const nonFiniteCounts = gradients.map((gradient) =>
        gradient ? tf.sum(tf.cast(tf.logicalNot(tf.isFinite(gradient)), 'float32')) : tf.scalar(0),
      );
      // One read for every health number: a sync per step is the price of stopping at the bad step.
      const health = tf.concat([tf.stack([...parts, value]), tf.stack(nonFiniteCounts)]).dataSync();
      tf.dispose(parts); // kept so they outlive the gradient scope; ours to release
      const [taskLoss, regLoss, weightDecayLoss, totalLoss] = health;
      const nonFiniteGradients = trainableWeights
        .filter((_, index) => health[4 + index] > 0)
        .map((weight) => weight.originalName);
      if (!Number.isFinite(totalLoss) || nonFiniteGradients.length > 0) {
        throw new NonFiniteLossError({ step, taskLoss, regLoss, weightDecayLoss, nonFiniteGradients });
      }
      // Positional, like Optimizer.minimize with a varList: optimizers key their slots by position.
      optimizer.applyGradients(trainableVariables.map((variable, index) => ({ name: variable.name, tensor: gradients[index] })));
      return { taskLoss, regLoss, weightDecayLoss };
    });
}
