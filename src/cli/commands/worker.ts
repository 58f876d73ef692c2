import type { Command } from 'commander';
import { taskQueueFromEnv } from '../../temporal/task-queues.ts';
import { positiveInteger } from './sweep.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run sweep and retrain work from a task queue (settings from the environment)')
    .option('--task-queue <name>', 'task queue to poll (env MORPHSWEEP_TASK_QUEUE)', taskQueueFromEnv())
    .option('--concurrency <n>', 'training runs at a time in this process', (value) => positiveInteger('--concurrency', value), 1)
    .action(async (options: { taskQueue: string; concurrency: number }) => (await import('../actions/worker.ts')).runWorker(options));
}
