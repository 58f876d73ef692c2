import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import pg from 'pg';
import { ensureWebAppBuilt } from '../support/web-app.ts';
import { testTemporal, uniqueTaskQueue } from '../support/temporal.ts';

/**
 * `morphsweep serve` on the embedded database: what it prints must be enough to attach a worker
 * (the real database URL, Temporal address, namespace and task queue), and `--with-worker` starts
 * one that Temporal then lists as a poller of every queue (GET /api/workers).
 */

const BIN_PATH = fileURLToPath(new URL('../../bin/morphsweep.mjs', import.meta.url));
const START_TIMEOUT_MS = 90_000;
const cleanups: Array<() => Promise<void>> = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function serve(args: string[]): Promise<{ url: string; stderr: () => string; taskQueue: string }> {
  const { distDir } = await ensureWebAppBuilt();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'morphsweep-serve-'));
  const taskQueue = uniqueTaskQueue('serve');
  const temporal = testTemporal();
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const child: ChildProcess = spawn(process.execPath, [BIN_PATH, 'serve', '--port', '0', ...args], {
    env: {
      ...env,
      NODE_ENV: 'production',
      MORPHSWEEP_NEXT_DIST_DIR: distDir,
      MORPHSWEEP_DATA_DIR: dataDir,
      MORPHSWEEP_AUTH: 'off',
      MORPHSWEEP_TASK_QUEUE: taskQueue,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  const started = Date.now();
  while (!/morphsweep worker --task-queue \S+\n/.test(stderr)) {
    if (child.exitCode !== null) assert.fail(`serve exited (${child.exitCode}):\n${stderr}`);
    if (Date.now() - started > START_TIMEOUT_MS) assert.fail(`serve printed no worker command in time:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const url = /dashboard and API on (\S+)/.exec(stderr)![1]!;
  return { url, stderr: () => stderr, taskQueue };
}

async function workers(url: string): Promise<{ ready: boolean; queues: Array<{ taskQueue: string; listening: boolean }> }> {
  const response = await fetch(`${url}/api/workers`);
  assert.equal(response.status, 200);
  return (await response.json()) as { ready: boolean; queues: Array<{ taskQueue: string; listening: boolean }> };
}

test('serve prints the real settings a worker needs, and the task queues have no poller until one runs', async () => {
  const { url, stderr, taskQueue } = await serve([]);
  const command = /\n {2}(DATABASE_URL=.+? TEMPORAL_ADDRESS=\S+ TEMPORAL_NAMESPACE=\S+ morphsweep worker --task-queue \S+)\n/.exec(stderr())?.[1];
  assert.ok(command, stderr());
  assert.match(stderr(), /No worker runs yet/);
  // Values as a shell reads them: single-quoted ones (the URL has a ?) lose their quotes.
  const settings = Object.fromEntries([...command.matchAll(/(\w+)=('([^']*)'|\S+)/g)].map((match) => [match[1], match[3] ?? match[2]]));
  assert.ok(!settings.DATABASE_URL!.includes('...'), 'a real URL, not a placeholder');
  assert.equal(settings.TEMPORAL_ADDRESS, testTemporal().address);
  assert.equal(settings.TEMPORAL_NAMESPACE, testTemporal().namespace);
  assert.ok(command.endsWith(`--task-queue ${taskQueue}`));
  // The printed URL reaches the migrated embedded database from another process.
  const client = new pg.Client({ connectionString: settings.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS sweeps FROM "Sweep"');
    assert.equal(rows[0].sweeps, 0);
  } finally {
    await client.end();
  }
  const status = await workers(url);
  assert.equal(status.ready, false);
  assert.deepEqual(
    status.queues.map((queue) => [queue.taskQueue, queue.listening]),
    [
      [taskQueue, false],
      [taskQueue, false],
      [`${taskQueue}.training`, false],
    ],
  );
});

test('serve --with-worker starts a worker that polls every task queue', async () => {
  const { url, stderr } = await serve(['--with-worker']);
  assert.match(stderr(), /Started 1 worker \(pid \d+\)/);
  const deadline = Date.now() + START_TIMEOUT_MS;
  let status = await workers(url);
  while (!status.ready && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    status = await workers(url);
  }
  assert.ok(status.ready, `no worker polled every queue in time: ${JSON.stringify(status)}\n${stderr()}`);
});
