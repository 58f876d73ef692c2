/**
 * Task queue names. One queue carries the sweep and retrain workflows, their bookkeeping activities
 * and the training activities: any worker can then run any part, and `morphsweep worker --task-queue`
 * only needs one name. Deployments that want separate pools set MORPHSWEEP_TASK_QUEUE per fleet.
 */
export const DEFAULT_TASK_QUEUE = 'morphsweep';

export function taskQueueFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.MORPHSWEEP_TASK_QUEUE?.trim() || DEFAULT_TASK_QUEUE;
}

/**
 * Training activities get a queue of their own beside the workflow queue, so a worker's training
 * slots (one per device) never hold up the short bookkeeping activities and workflow tasks of other
 * sweeps. Derived from the main name so users only ever pass one. Pure: the workflows call it.
 */
export function trainingTaskQueueFor(taskQueue: string): string {
  return `${taskQueue}.training`;
}
