'use client';

import { useWorkers } from '../hooks/useWorkers.ts';

const ROLE_WORDS = { workflows: 'sweep and retrain workflows', bookkeeping: 'bookkeeping', training: 'training' } as const;

/**
 * Shown beside queued or running work: when no worker has polled one of the task queues recently
 * (Temporal's DescribeTaskQueue), that work waits forever with no error, so say so and say what to run.
 */
export function WorkerWarning() {
  const workers = useWorkers(true);
  if (!workers.data || workers.data.ready) return null;
  const idle = workers.data.queues.filter((queue) => !queue.listening);
  return (
    <div className="warning" role="status" data-testid="worker-warning">
      <p>
        <strong>No worker is listening</strong> on {idle.map((queue) => `${queue.taskQueue} (${ROLE_WORDS[queue.role]})`).join(', ')}: nothing has polled
        {idle.length === 1 ? ' it' : ' them'} in the last 2 minutes, so queued work will wait. Start one with <code>morphsweep worker</code> and the
        connection settings <code>morphsweep serve</code> printed (or run <code>morphsweep serve --with-worker</code>).
      </p>
    </div>
  );
}
