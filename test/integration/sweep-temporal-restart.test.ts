import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { findTemporalCli } from '../../src/temporal/dev-server.ts';
import { startSweep, waitForSweep } from '../../src/temporal/sweeps.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { uniqueTaskQueue } from '../support/temporal.ts';
import { quietTemporalLogs, startInProcessWorker, sweepDeps, tinySweepConfig, waitUntil } from './sweep-harness.ts';

/**
 * A Temporal server restart in the middle of a sweep: a dev server of this file's own (restarting the
 * shared one would cut every other test file's workflows), keeping its state in a SQLite file. It is
 * spawned directly: the SDK's launcher gives a server 5 s to come up, too little for a restart that
 * reloads its state on a busy machine.
 */

const SERVER_START_TIMEOUT_MS = 60_000;

let stateDir: string;
let server: ChildProcess;
let ports: { frontend: number; http: number; metrics: number };
let address: string;
let database: TestDatabase;
let connection: Connection;
let worker: Awaited<ReturnType<typeof startInProcessWorker>>;
const namespace = 'default';
const taskQueue = uniqueTaskQueue('temporal-restart');

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts the server on the file's ports and state, and waits until it answers. */
async function startServer(): Promise<ChildProcess> {
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(ports.frontend), '--http-port', String(ports.http)];
  args.push('--metrics-port', String(ports.metrics), '--namespace', namespace, '--db-filename', path.join(stateDir, 'temporal.db'), '--log-level', 'error');
  const child = spawn(findTemporalCli(), args, { stdio: 'ignore' });
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${child.exitCode}`);
    try {
      const probe = await Connection.connect({ address, connectTimeout: 1_000 });
      await probe.close();
      return child;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function stopServer(): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = once(server, 'exit');
  server.kill('SIGTERM');
  await exited;
}

before(async () => {
  quietTemporalLogs();
  stateDir = await mkdtemp(path.join(tmpdir(), 'morphsweep-temporal-restart-'));
  ports = { frontend: await freePort(), http: await freePort(), metrics: await freePort() };
  address = `127.0.0.1:${ports.frontend}`;
  server = await startServer();
  database = await createTestDatabase();
  connection = await Connection.connect({ address });
  worker = await startInProcessWorker(database.prisma, taskQueue, 2, { address, namespace });
});

after(async () => {
  await worker?.stop();
  await connection?.close();
  await stopServer();
  await database?.drop();
  await rm(stateDir, { recursive: true, force: true });
});

test('a Temporal server restart mid-sweep delays it but loses nothing', async () => {
  const deps = sweepDeps(database.prisma, new Client({ connection, namespace }), taskQueue);
  const steps = 200;
  const config = tinySweepConfig({
    name: 'temporal restart',
    thresholds: [0.01],
    strengths: { values: [1e-7, 1e-6] },
    training: { steps, batchSize: 16, evalEvery: 50, checkpointEvery: 5 },
    concurrency: 2,
  });
  const { sweepId } = await startSweep(deps, config);
  await waitUntil('a run to write its first checkpoint', async () =>
    (await database.prisma.checkpoint.count({ where: { run: { sweepId } } })) > 0 ? true : undefined,
  );
  await stopServer();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  server = await startServer();
  const restartedAt = new Date();

  const result = await waitForSweep(deps, sweepId);
  assert.equal(result.status, 'completed');
  assert.deepEqual(result.counts, { pending: 0, running: 0, completed: 2, failed: 0, cancelled: 0 });
  const runs = await database.prisma.run.findMany({ where: { sweepId }, include: { curve: { select: { step: true }, orderBy: { step: 'asc' } } } });
  assert.equal(runs.length, 2);
  for (const run of runs) {
    assert.equal(run.status, 'completed', `${run.id}: ${run.error}`);
    assert.ok(run.costFlops !== null && run.valAccuracy !== null && run.structure !== null);
    assert.deepEqual(run.curve.map((point) => point.step), Array.from({ length: steps }, (_, i) => i + 1), 'no curve point lost or doubled');
  }
  // The server was really gone while runs trained: some finished only after it came back.
  assert.ok(runs.some((run) => run.finishedAt! > restartedAt), 'a run was in flight across the restart');
  const sweep = await database.prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } });
  assert.equal(sweep.status, 'completed');
  assert.equal(await database.prisma.checkpoint.count({ where: { run: { sweepId } } }), 0);
});
