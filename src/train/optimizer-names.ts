/**
 * The optimizers the training loop builds (optimizer.ts). Plain data without TF.js, so the pure
 * sweep schema, workflows and the web app can name them.
 */
export const OPTIMIZERS = ['adam', 'sgd', 'momentum', 'rmsprop'] as const;

export type OptimizerName = (typeof OPTIMIZERS)[number];
