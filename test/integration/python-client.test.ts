import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createApiToken } from '../../src/db/repositories/tokens.ts';
import { startWebApp, type RunningWebApp } from '../support/web-app.ts';
import { startAppWithWorker, tinySweepConfig, type AppWithWorker } from './sweep-harness.ts';

/**
 * The Python client (clients/python) checked by its own tools from the venv scripts/setup.sh made:
 * `mypy --strict` over the package, its tests and scripts; then pytest against the built app with a
 * training worker, PostgreSQL and Temporal (create, idempotent retry, events, front, retrain, every
 * error code, retries through a fault-injecting proxy, models against the served OpenAPI document,
 * and docs/notebooks/quickstart.ipynb executed with nbclient). A second app shares the database
 * with tokens off and Temporal unreachable, for the 403 and 503 answers.
 */

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const packageRoot = `${repositoryRoot}clients/python`;
const PYTHON = `${repositoryRoot}.morphsweep/py-venv/bin/python`;
const PYTEST_TIMEOUT_MS = 420_000;

let services: AppWithWorker;
let offline: RunningWebApp | undefined;
let token: string;

/** A port nothing listens on: Temporal "at" it refuses every connection at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

before(async () => {
  assert.ok(existsSync(PYTHON), `no Python venv at ${PYTHON}: run bash scripts/setup.sh`);
  services = await startAppWithWorker('python-client', { env: { MORPHSWEEP_SSE_POLL_MS: '200' } });
  token = (await createApiToken(services.database.prisma, 'python-client')).secret;
  offline = await startWebApp({
    databaseUrl: services.database.url,
    env: { TEMPORAL_ADDRESS: `127.0.0.1:${await closedPort()}`, MORPHSWEEP_AUTH: 'off', MORPHSWEEP_TASK_QUEUE: 'python-client-offline' },
  });
});

after(async () => {
  await offline?.stop();
  await services?.stop();
});

function runPython(args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd: packageRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The test's own timeout would leave the child running; this one ends it.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('pytest: the Python client against the real server, and the quickstart notebook', { timeout: PYTEST_TIMEOUT_MS + 10_000 }, async () => {
  const { code, output } = await runPython(
    ['-m', 'pytest', '-ra', '-q', '--durations=5'],
    {
      MORPHSWEEP_URL: services.app.url,
      MORPHSWEEP_TOKEN: token,
      MORPHSWEEP_TEST_OFFLINE_URL: offline!.url,
      MORPHSWEEP_TEST_SWEEP_CONFIG: JSON.stringify(tinySweepConfig({ name: 'python client', tags: ['python-client'] })),
    },
    PYTEST_TIMEOUT_MS,
  );
  console.log(output.split('\n').slice(-12).join('\n'));
  assert.equal(code, 0, `${output}\nserver log:\n${services.app.logs().slice(-3000)}`);
  // pytest exits 0 also when every test was skipped or none was collected.
  const summary = /(\d+) passed/.exec(output);
  assert.ok(summary && Number(summary[1]) >= 20, `too few Python tests passed:\n${output}`);
  assert.doesNotMatch(output, /\d+ skipped/);
});

test('the Python client type-checks under mypy --strict', { timeout: 180_000 }, async () => {
  // A cold check takes ~40 s here (pydantic, httpx and the pandas stubs are analysed once, then cached).
  const { code, output } = await runPython(['-m', 'mypy', '--cache-dir', `${repositoryRoot}.morphsweep/mypy-cache`], {}, 170_000);
  assert.equal(code, 0, output);
  assert.match(output, /Success: no issues found in \d+ source files/);
});
