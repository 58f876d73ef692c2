import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testTemporal, uniqueTaskQueue } from '../support/temporal.ts';
import { startInProcessWorker, tinySweepConfig } from './sweep-harness.ts';

const BIN_PATH = fileURLToPath(new URL('../../bin/morphsweep.mjs', import.meta.url));
const taskQueue = uniqueTaskQueue('cli');
let database: TestDatabase;
let worker: Awaited<ReturnType<typeof startInProcessWorker>>;
let workDir: string;

before(async () => {
  database = await createTestDatabase();
  worker = await startInProcessWorker(database.prisma, taskQueue);
  workDir = await mkdtemp(join(tmpdir(), 'morphsweep-cli-'));
});

after(async () => {
  await worker?.stop();
  await database?.drop();
  await rm(workDir, { recursive: true, force: true });
});

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function morphsweep(...args: string[]): Promise<CliResult> {
  const { address, namespace } = testTemporal();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN_PATH, ...args],
      { env: { ...process.env, DATABASE_URL: database.url, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, MORPHSWEEP_TASK_QUEUE: taskQueue } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function writeConfig(name: string, config: unknown): Promise<string> {
  const path = join(workDir, name);
  await writeFile(path, JSON.stringify(config));
  return path;
}

test('bad input: one error line listing every problem, exit code 2, nothing started', async () => {
  const path = await writeConfig('bad.json', { ...tinySweepConfig(), thresholds: [], network: { name: 'vgg' }, training: { steps: 5, epochs: 1 } });
  const bad = await morphsweep('sweep', 'create', '--config', path);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /^error: invalid sweep config: /);
  for (const path of ['network.name', 'thresholds', 'training']) assert.ok(bad.stderr.includes(`${path}: `), `${path} named in ${bad.stderr}`);
  assert.equal(await database.prisma.sweep.count(), 0);

  const missing = await morphsweep('sweep', 'create', '--config', join(workDir, 'nope.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error: cannot read the sweep config .*nope\.json/);
  const unknownSweep = await morphsweep('sweep', 'status', 'sw-missing', '--json');
  assert.equal(unknownSweep.code, 2);
  assert.match(unknownSweep.stderr, /no sweep with id "sw-missing"/);
  const both = await morphsweep('retrain', 'r', '--width-multiplier', '1', '--target-cost', '5');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /either --width-multiplier or --target-cost, not both/);
  const notANumber = await morphsweep('retrain', 'r', '--width-multiplier', 'wide');
  assert.equal(notANumber.code, 2);
  assert.match(notANumber.stderr, /--width-multiplier must be a positive number, got "wide"/);
});

test('create --wait, list, status, front and retrain --wait, all as JSON', async () => {
  const path = await writeConfig('ok.json', tinySweepConfig({ name: 'cli sweep', thresholds: [0.01], strengths: { values: [1e-7, 1e-5] } }));
  const created = await morphsweep('sweep', 'create', '--config', path, '--wait', '--json');
  assert.equal(created.code, 0, created.stderr);
  const outcome = JSON.parse(created.stdout);
  assert.equal(outcome.status, 'completed');
  assert.equal(outcome.created, true);
  assert.equal(outcome.counts.completed, 2);
  const { sweepId } = outcome;

  const list = JSON.parse((await morphsweep('sweep', 'list', '--json')).stdout);
  assert.deepEqual(list.map((sweep: { id: string }) => sweep.id), [sweepId]);
  assert.equal(list[0].status, 'completed');

  const status = JSON.parse((await morphsweep('sweep', 'status', sweepId, '--json')).stdout);
  assert.equal(status.runs.length, 2);
  assert.ok(status.runs.every((run: { status: string; step: number }) => run.status === 'completed' && run.step === 8));

  const front = JSON.parse((await morphsweep('front', sweepId, '--json', '--cost', 'model-size')).stdout);
  assert.equal(front.cost, 'model-size');
  assert.ok(front.front.length >= 1 && front.front.length + front.dominatedCount === 2);
  const point = front.front[0];
  assert.ok(Object.values(point.aliveWidths).every((width) => Number.isInteger(width)));
  const table = await morphsweep('front', sweepId);
  assert.match(table.stdout, /^RUN +STRENGTH +THRESHOLD +COST \(flops\) +VAL ACC +TEST ACC +ALIVE WIDTHS\n/);

  const retrained = await morphsweep('retrain', point.runId, '--width-multiplier', '0.5', '--wait', '--json');
  assert.equal(retrained.code, 0, retrained.stderr);
  const result = JSON.parse(retrained.stdout);
  assert.equal(result.widthMultiplier, 0.5);
  assert.ok(result.costModelSize < point.cost, 'half the widths, fewer weights');
  const row = await database.prisma.retrain.findUniqueOrThrow({ where: { id: result.retrainId } });
  assert.equal(row.status, 'completed');
  assert.match(row.idempotencyKey ?? '', /^cli-[0-9a-f-]{36}$/, 'each invocation sends a key of its own (its retries reuse it)');

  // The same --idempotency-key twice at once (a rerun after a lost answer): one retrain.
  const reruns = await Promise.all([1, 2].map(() => morphsweep('retrain', point.runId, '--width-multiplier', '0.5', '--idempotency-key', 'cli-rerun', '--json')));
  for (const rerun of reruns) assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(new Set(reruns.map((rerun) => JSON.parse(rerun.stdout).retrainId)).size, 1);
  assert.equal(await database.prisma.retrain.count({ where: { idempotencyKey: 'cli-rerun' } }), 1);
});
