import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SweepProgress } from '../src/sweep/progress.ts';

/** Messages the sweep workflow answers; the client imports these same objects. */
export const sweepProgressQuery = defineQuery<SweepProgress>('sweepProgress');
/** Stop the sweep: running runs are cancelled (their results so far stay), pending ones never start. */
export const cancelSweepSignal = defineSignal<[{ reason?: string }?]>('cancelSweep');

export const SWEEP_WORKFLOW_TYPE = 'sweepWorkflow';
export const RETRAIN_WORKFLOW_TYPE = 'retrainWorkflow';
export const EVIDENCE_WORKFLOW_TYPE = 'evidenceWorkflow';
export const TARGET_SEARCH_WORKFLOW_TYPE = 'targetSearchWorkflow';
