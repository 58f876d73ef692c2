// The worker bundles this file: every workflow type the task queue serves.
export { sweepWorkflow } from './sweep.ts';
export { retrainWorkflow } from './retrain.ts';
export { evidenceWorkflow } from './evidence.ts';
export { targetSearchWorkflow } from './target-search.ts';
