import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

// Registration only: each action imports its heavy dependencies (Prisma, Temporal, TF.js) when it
// runs, so `--help` and every other command start quickly.

export function registerSweepCommands(program: Command, setExitCode: (code: number) => void): void {
  const sweep = program.command('sweep').description('create, list, inspect and cancel sweeps');

  sweep
    .command('create')
    .description('validate a sweep config (JSON) and start it')
    .requiredOption('--config <file>', 'sweep config JSON (see src/sweep/config.ts); network.model and npz: paths in it are relative to the file')
    .option('--idempotency-key <key>', 'the same key always names the same sweep: a retried create starts nothing twice')
    .option('--wait', 'wait for the sweep to finish, showing live progress')
    .option('--json', 'machine-readable output')
    .action(async (options) => (await import('../actions/sweep.ts')).createSweepAction(options, setExitCode));

  sweep
    .command('list')
    .description('the most recent sweeps')
    .option('--limit <n>', 'how many', (value) => positiveInteger('--limit', value), 20)
    .option('--json', 'machine-readable output')
    .action(async (options) => (await import('../actions/sweep.ts')).listSweepsAction(options));

  sweep
    .command('status <sweepId>')
    .description("a sweep's state and every run's result")
    .option('--json', 'machine-readable output')
    .action(async (sweepId: string, options) => (await import('../actions/sweep.ts')).sweepStatusAction(sweepId, options));

  sweep
    .command('cancel <sweepId>')
    .description('stop a sweep: running runs are cancelled, finished results stay')
    .option('--json', 'machine-readable output')
    .action(async (sweepId: string, options) => (await import('../actions/sweep.ts')).cancelSweepAction(sweepId, options));

  sweep
    .command('progress <sweepId>')
    .description("the workflow's live view (per-run state and latest heartbeat)")
    .action(async (sweepId: string) => (await import('../actions/sweep.ts')).sweepProgressAction(sweepId));
}

export function positiveInteger(flag: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return parsed;
}

export function positiveNumber(flag: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new UsageError(`${flag} must be a positive number, got "${value}"`);
  return parsed;
}
