import { ActivityCancellationType, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import { trainingTaskQueueFor } from '../src/temporal/task-queues.ts';
import { NON_RETRYABLE_ERROR_TYPES, type OrchestrationOptions } from '../src/sweep/orchestration.ts';

/**
 * Timeouts and retry policies of every activity, stated in one place next to the workflows that
 * proxy them.
 */

export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;

/**
 * Database bookkeeping: short, idempotent writes. Retried for up to 10 minutes so a Postgres restart
 * (or a failover) only delays the sweep.
 */
export const BOOKKEEPING_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES] },
};

/** Building the seed network and measuring it loads TF.js and the dataset: allow for a cold worker. */
export const MEASURE_ACTIVITY_OPTIONS: ActivityOptions = {
  ...BOOKKEEPING_ACTIVITY_OPTIONS,
  startToCloseTimeout: '10 minutes',
  scheduleToCloseTimeout: '1 hour',
};

/**
 * Training: long, heartbeating, resumable from its Postgres checkpoint. A dead worker is noticed by
 * the heartbeat timeout and the next attempt (on any worker) resumes; NaN losses and impossible
 * structures are non-retryable. Cancellation waits for the activity to record its own state.
 */
export function trainingActivityOptions(options: OrchestrationOptions | undefined, activityId: string): ActivityOptions {
  return {
    activityId,
    taskQueue: trainingTaskQueueFor(workflowInfo().taskQueue),
    startToCloseTimeout: '24 hours',
    heartbeatTimeout: options?.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: options?.retryInitialIntervalMs ?? 1_000,
      backoffCoefficient: 2,
      // About 15 minutes of retrying (1 s doubling to a minute, 20 attempts): a database outage as
      // long as bookkeeping tolerates, and many worker redeploys over a long run (each shutdown
      // uses an attempt), while an unexpected deterministic bug still frees its slot in minutes.
      maximumInterval: '1 minute',
      maximumAttempts: 20,
      nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
    },
  };
}
