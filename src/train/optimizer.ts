import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from './optimizer-names.ts';

/**
 * One optimizer per name, with a fixed learning rate: MorphNet recommends no decay during
 * structure learning, and retraining uses the same loop for a like-for-like comparison.
 */
export function createOptimizer(name: OptimizerName, learningRate: number, momentum: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, momentum);
    case 'adam':
      return tf.train.adam(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}

/** Releases every tensor the optimizer holds. */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  // MomentumOptimizer.dispose (tfjs 4.22) skips SGDOptimizer.dispose and so leaks the learning-rate
  // scalar: one tensor per run, which adds up in a worker that trains hundreds of runs.
  // By class name: tfjs answers instanceof for optimizers by duck typing (any optimizer passes).
  if (optimizer.getClassName() === tf.MomentumOptimizer.className) {
    const learningRateScalar = (optimizer as unknown as { c?: tf.Tensor }).c;
    if (learningRateScalar && !learningRateScalar.isDisposed) learningRateScalar.dispose();
  }
}
