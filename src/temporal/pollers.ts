import type { Client } from '@temporalio/client';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { trainingTaskQueueFor } from './task-queues.ts';

/**
 * Which workers listen: Temporal's own task-queue description (DescribeTaskQueue) lists the pollers
 * of each queue with the time each last polled. A sweep or retrain on a queue nobody polls stays
 * "queued"/"pending" with no error anywhere, so the dashboard warns instead.
 */

/** A worker that polled within this long still listens (a long poll lasts up to ~70 s). */
export const POLLER_FRESH_MS = 2 * 60_000;

export interface QueueListeners {
  taskQueue: string;
  /** What this queue carries for MorphSweep. */
  role: 'workflows' | 'bookkeeping' | 'training';
  pollers: Array<{ identity: string; lastPolledAt: string | null }>;
  /** At least one poller polled within POLLER_FRESH_MS. */
  listening: boolean;
}

export interface WorkerStatus {
  /** Every queue has a recent poller: queued work will be picked up. */
  ready: boolean;
  queues: QueueListeners[];
}

const { TaskQueueType, TaskQueueKind } = temporal.api.enums.v1;

export async function describeWorkers(client: Client, taskQueue: string, now: Date = new Date()): Promise<WorkerStatus> {
  const asked = [
    { taskQueue, type: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, role: 'workflows' as const },
    { taskQueue, type: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, role: 'bookkeeping' as const },
    { taskQueue: trainingTaskQueueFor(taskQueue), type: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, role: 'training' as const },
  ];
  const queues = await Promise.all(
    asked.map(async ({ taskQueue: name, type, role }): Promise<QueueListeners> => {
      const answer = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: type,
      });
      const pollers = (answer.pollers ?? []).map((poller) => ({
        identity: poller.identity ?? 'unknown',
        lastPolledAt: optionalTsToDate(poller.lastAccessTime)?.toISOString() ?? null,
      }));
      const listening = pollers.some(({ lastPolledAt }) => lastPolledAt !== null && now.getTime() - Date.parse(lastPolledAt) <= POLLER_FRESH_MS);
      return { taskQueue: name, role, pollers, listening };
    }),
  );
  return { ready: queues.every((queue) => queue.listening), queues };
}
