import { readFile } from 'node:fs/promises';
import { listRunsOfSweep } from '../../db/repositories/runs.ts';
import { getSweep, listSweeps } from '../../db/repositories/sweeps.ts';
import { costColumnOf } from '../../sweep/orchestration.ts';
import type { CostKind } from '../../sweep/config.ts';
import { cancelSweep, querySweepProgress, startSweep } from '../../temporal/sweeps.ts';
import { resolveConfigPaths } from '../config-files.ts';
import { UsageError } from '../errors.ts';
import { createOutput, formatNumber, formatTable } from '../output.ts';
import { createProgressView } from '../progress-view.ts';
import { openDatabase, openServices } from '../services.ts';
import { waitWithProgress } from '../wait.ts';

/** What `morphsweep sweep ...` does; loaded only when such a command runs. */

export async function createSweepAction(options: { config: string; idempotencyKey?: string; wait?: boolean; json?: boolean }, setExitCode: (code: number) => void): Promise<void> {
  const output = createOutput(Boolean(options.json));
  const rawConfig = await readConfigFile(options.config);
  const services = await openServices();
  try {
    const config = await resolveConfigPaths(rawConfig, options.config, services.deps.prisma, (line) => output.info(line));
    const { sweepId, created, warnings } = await startSweep(services.deps, config, { idempotencyKey: options.idempotencyKey });
    for (const warning of warnings ?? []) output.info(`warning: ${warning}`);
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
  }}

export async function listSweepsAction(options: { limit: number; json?: boolean }): Promise<void> {
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
  }}

export async function sweepStatusAction(sweepId: string, options: { json?: boolean }): Promise<void> {
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
  }}

export async function cancelSweepAction(sweepId: string, options: { json?: boolean }): Promise<void> {
  const output = createOutput(Boolean(options.json));
  const services = await openServices();
  try {
    const outcome = await cancelSweep(services.deps, sweepId);
    output.result(outcome, () => (outcome.outcome === 'cancelling' ? `cancelling sweep ${sweepId}` : `sweep ${sweepId} had already finished`));
  } finally {
    await services.close();
  }}

export async function sweepProgressAction(sweepId: string): Promise<void> {
  const services = await openServices();
  try {
    const progress = await querySweepProgress(services.deps, sweepId);
    process.stdout.write(`${JSON.stringify(progress, null, 2)}\n`);
  } finally {
    await services.close();
  }}

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

