import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createApiToken } from '../../src/db/repositories/tokens.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testTemporal, uniqueTaskQueue } from '../support/temporal.ts';
import { startWebApp, type RunningWebApp } from '../support/web-app.ts';
import { insertCompletedRuns, insertSweep, sampleStructure } from './api-fixtures.ts';

/**
 * The HTTP API fuzzed from its own OpenAPI document by schemathesis (pinned, installed by
 * scripts/setup.sh): every operation gets schema-derived and mutated requests, and no answer may be
 * a 5xx. The database holds one finished sweep so the read paths meet real rows. A deeper run:
 * FUZZ_MAX_EXAMPLES=200 bash scripts/fuzz-api.sh.
 */

const SCHEMATHESIS = fileURLToPath(new URL('../../.morphsweep/py-venv/bin/st', import.meta.url));
const MAX_EXAMPLES = process.env.FUZZ_MAX_EXAMPLES ?? '10';

let db: TestDatabase;
let app: RunningWebApp;

before(async () => {
  db = await createTestDatabase();
  const { address, namespace } = testTemporal();
  // No worker polls this queue: sweeps the fuzzer manages to create stay queued.
  app = await startWebApp({
    databaseUrl: db.url,
    env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, MORPHSWEEP_TASK_QUEUE: uniqueTaskQueue('fuzz') },
  });
});

after(async () => {
  await app?.stop();
  await db?.drop();
});

function runSchemathesis(args: string[]): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ exitCode: code ?? 1, output }));
  });
}

test('schemathesis finds no request that makes the API answer 5xx', { timeout: 600_000 }, async () => {
  assert.ok(existsSync(SCHEMATHESIS), `schemathesis is not installed at ${SCHEMATHESIS}: run bash scripts/setup.sh`);
  const sweep = await insertSweep(db.prisma, { seedCost: { flops: 1e6, modelSize: 1e4, latencyNs: 1e5 }, seedAccuracy: 0.8 });
  const [run] = await insertCompletedRuns(db.prisma, sweep.id, [
    { costFlops: 5e5, costModelSize: 5e3, valAccuracy: 0.7 },
    { costFlops: 2e5, costModelSize: 3e3, valAccuracy: 0.6 },
  ]);
  await db.prisma.run.update({ where: { id: run!.id }, data: { structure: sampleStructure() } });
  const token = (await createApiToken(db.prisma, 'fuzz')).secret;

  const { exitCode, output } = await runSchemathesis([
    'run',
    `${app.url}/api/openapi.json`,
    '--url',
    app.url,
    '--checks',
    'not_a_server_error',
    '--max-examples',
    MAX_EXAMPLES,
    '--request-timeout',
    '20',
    // The event stream of an unfinished sweep never ends by design; api-flow.test.ts reads it.
    '--exclude-path',
    '/api/sweeps/{id}/events',
    '--header',
    `Authorization: Bearer ${token}`,
  ]);
  const summary = /(\d+) generated, (\d+) passed/.exec(output);
  assert.equal(exitCode, 0, `schemathesis failed:\n${output.slice(-6000)}\nserver log:\n${app.logs().slice(-3000)}`);
  // A run that tested nothing (a broken document, every operation skipped) must not pass either.
  assert.ok(summary && Number(summary[1]) >= 100, `too few test cases generated:\n${output.slice(-3000)}`);
  console.log(`schemathesis: ${summary[1]} requests generated from the OpenAPI document, every one answered without a 5xx`);
});
