import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { listRunsOfSweep } from '../../db/repositories/runs.ts';
import { getSweep, listSweeps } from '../../db/repositories/sweeps.ts';
import { costColumnOf } from '../../sweep/orchestration.ts';
import type { CostKind } from '../../sweep/config.ts';
import { cancelSweep, querySweepProgress, startSweep } from '../../temporal/sweeps.ts';
import { UsageError } from '../errors.ts';
import { createOutput, formatNumber, formatTable } from '../output.ts';
import { createProgressView } from '../progress-view.ts';
import { openDatabase, openServices } from '../services.ts';
import { waitWithProgress } from '../wait.ts';

export function registerSweepCommands(program: Command, setExitCode: (code: number) => void): void {
  const sweep = program.command('sweep').description('create, list, inspect and cancel sweeps');

  sweep
    .command('create')
    .description('validate a sweep config (JSON) and start it')
    .requiredOption('--config <file>', 'sweep config JSON (see src/sweep/config.ts)')
    .option('--idempotency-key <key>', 'the same key always names the same sweep: a retried create starts nothing twice')
    .option('--wait', 'wait for the sweep to finish, showing live progress')
    .option('--json', 'machine-readable output')
    .action(async (options: { config: string; idempotencyKey?: string; wait?: boolean; json?: boolean }) => {
      const output = createOutput(Boolean(options.json));
      const config = await readConfigFile(options.config);
      const services = await openServices();
      try {
        const { sweepId, created } = await startSweep(services.deps, config, { idempotencyKey: options.idempotencyKey });
        if (!options.wait) {
          output.result({ sweepId, created }, () => `${created ? 'started' : 'already exists:'} sweep ${sweepId}`);
          return;
        }
        output.info(`sweep ${sweepId} ${created ? 'started' : 'already exists'}; waiting for it to finish`);
        const result = await waitWithProgress(services.deps, sweepId, output.json ? undefined : createProgressView());
        output.result({ created, ...result }, () => `sweep ${sweepId} ${result.status}: ${result.counts.completed} completed, ${result.counts.failed} failed, ${result.counts.cancelled} cancelled`);
        if (result.status !== 'completed') setExitCode(1);
      } finally {
        await services.close();
      }
    });

  sweep
    .command('list')
    .description('the most recent sweeps')
    .option('--limit <n>', 'how many', (value) => positiveInteger('--limit', value), 20)
    .option('--json', 'machine-readable output')
    .action(async (options: { limit: number; json?: boolean }) => {
      const output = createOutput(Boolean(options.json));
      const database = await openDatabase();
      try {
        const sweeps = await listSweeps(database.prisma, { limit: options.limit });
        const rows = sweeps.map((s) => ({ id: s.id, name: s.name, status: s.status, costAxis: s.costAxis, tags: s.tags, createdAt: s.createdAt }));
        output.result(rows, () =>
          rows.length === 0
            ? 'no sweeps yet: start one with `morphsweep sweep create --config sweep.json`'
            : formatTable(['ID', 'NAME', 'STATUS', 'COST', 'CREATED'], rows.map((r) => [r.id, r.name, r.status, r.costAxis, r.createdAt.toISOString()])),
        );
      } finally {
        await database.stop();
      }
    });

  sweep
    .command('status <sweepId>')
    .description("a sweep's state and every run's result")
    .option('--json', 'machine-readable output')
    .action(async (sweepId: string, options: { json?: boolean }) => {
      const output = createOutput(Boolean(options.json));
      const database = await openDatabase();
      try {
        const sweepRow = await getSweep(database.prisma, sweepId);
        const runs = await listRunsOfSweep(database.prisma, sweepId);
        const costColumn = costColumnOf(sweepRow.costAxis as CostKind);
        const status = {
          id: sweepRow.id,
          name: sweepRow.name,
          status: sweepRow.status,
          costAxis: sweepRow.costAxis,
          seedCost: sweepRow.seedCost,
          error: sweepRow.error,
          runs: runs.map((run) => ({
            id: run.id,
            strength: run.strength,
            threshold: run.threshold,
            seed: run.seed,
            status: run.status,
            step: run.step,
            totalSteps: run.totalSteps,
            attempt: run.attempt,
            costFlops: run.costFlops,
            costModelSize: run.costModelSize,
            costLatencyNs: run.costLatencyNs,
            valAccuracy: run.valAccuracy,
            testAccuracy: run.testAccuracy,
            error: run.error,
          })),
        };
        output.result(status, () =>
          [
            `sweep ${status.id} (${status.name}): ${status.status}${status.error ? ` - ${status.error}` : ''}`,
            formatTable(
              ['RUN', 'STRENGTH', 'THRESHOLD', 'SEED', 'STATUS', 'STEP', `COST (${status.costAxis})`, 'VAL ACC', 'TEST ACC'],
              runs.map((run) => [
                run.id,
                formatNumber(run.strength),
                formatNumber(run.threshold),
                run.seed,
                run.status + (run.error ? ` (${run.error.slice(0, 60)})` : ''),
                `${run.step}/${run.totalSteps}`,
                formatNumber(run[costColumn]),
                formatNumber(run.valAccuracy),
                formatNumber(run.testAccuracy),
              ]),
            ),
          ].join('\n'),
        );
      } finally {
        await database.stop();
      }
    });

  sweep
    .command('cancel <sweepId>')
    .description('stop a sweep: running runs are cancelled, finished results stay')
    .option('--json', 'machine-readable output')
    .action(async (sweepId: string, options: { json?: boolean }) => {
      const output = createOutput(Boolean(options.json));
      const services = await openServices();
      try {
        const outcome = await cancelSweep(services.deps, sweepId);
        output.result(outcome, () => (outcome.outcome === 'cancelling' ? `cancelling sweep ${sweepId}` : `sweep ${sweepId} had already finished`));
      } finally {
        await services.close();
      }
    });

  sweep
    .command('progress <sweepId>')
    .description("the workflow's live view (per-run state and latest heartbeat)")
    .action(async (sweepId: string) => {
      const services = await openServices();
      try {
        const progress = await querySweepProgress(services.deps, sweepId);
        process.stdout.write(`${JSON.stringify(progress, null, 2)}\n`);
      } finally {
        await services.close();
      }
    });
}

async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the sweep config ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the sweep config ${path} is not valid JSON: ${(error as Error).message}`);
  }
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
