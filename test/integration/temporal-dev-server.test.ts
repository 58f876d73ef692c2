import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connectClient, TemporalUnreachableError } from '../../src/temporal/connection.ts';
import { findTemporalCli, startTemporalDevServer, TemporalCliMissingError } from '../../src/temporal/dev-server.ts';
import { resolveTemporal } from '../../src/temporal/resolve-temporal.ts';
import { freePort } from '../support/postgres-cluster.ts';

test('the launcher starts its own dev server with the asked namespace and port, and stop() ends it', async () => {
  const port = await freePort();
  const server = await startTemporalDevServer({ port, namespace: 'launcher-test' });
  assert.equal(server.address, `127.0.0.1:${port}`);
  assert.equal(server.namespace, 'launcher-test');
  const handle = await connectClient({ address: server.address, namespace: server.namespace });
  try {
    const namespace = await handle.connection.workflowService.describeNamespace({ namespace: 'launcher-test' });
    assert.equal(namespace.namespaceInfo?.name, 'launcher-test');
  } finally {
    await handle.close();
  }
  await server.stop();
  await assert.rejects(connectClient({ address: server.address, namespace: server.namespace }, { connectTimeoutMs: 1_000 }), TemporalUnreachableError);
});

test('a process that starts a dev server keeps its stdout clean for machine-readable output', async () => {
  const devServerModule = fileURLToPath(new URL('../../src/temporal/dev-server.ts', import.meta.url));
  const script = `import(${JSON.stringify(devServerModule)}).then(async ({ startTemporalDevServer }) => {
    const server = await startTemporalDevServer();
    // The CLI prints its banner a few seconds after it starts answering.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    process.stdout.write(JSON.stringify({ address: server.address }));
    await server.stop();
  })`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { timeout: 60_000 });
  assert.match(JSON.parse(stdout).address, /^127\.0\.0\.1:\d+$/, `stdout was: ${stdout}`);
});

test('resolveTemporal starts a dev server only when TEMPORAL_ADDRESS is unset', async () => {
  const given = await resolveTemporal({ TEMPORAL_ADDRESS: 'temporal.example.internal:7233', TEMPORAL_NAMESPACE: 'prod' });
  assert.deepEqual({ address: given.address, namespace: given.namespace, devServer: given.devServer }, { address: 'temporal.example.internal:7233', namespace: 'prod', devServer: false });

  const started = await resolveTemporal({ PATH: process.env.PATH });
  try {
    assert.equal(started.devServer, true);
    assert.equal(started.namespace, 'default');
    const handle = await connectClient(started.config);
    await handle.close();
  } finally {
    await started.stop();
  }
});

test('a missing temporal binary is a clear error that says to run npm run setup', async () => {
  const emptyDir = await mkdtemp(path.join(os.tmpdir(), 'morphsweep-no-temporal-'));
  try {
    assert.throws(() => findTemporalCli({ PATH: emptyDir }), (error: Error) => error instanceof TemporalCliMissingError && /npm run setup/.test(error.message));
    const notExecutable = path.join(emptyDir, 'temporal');
    await writeFile(notExecutable, '');
    await chmod(notExecutable, 0o644);
    assert.throws(() => findTemporalCli({ TEMPORAL_CLI_PATH: notExecutable, PATH: '' }), (error: Error) => error instanceof TemporalCliMissingError && error.message.includes(notExecutable));
    assert.throws(() => findTemporalCli({ PATH: emptyDir }), TemporalCliMissingError, 'a non-executable file on PATH does not count');
  } finally {
    await rm(emptyDir, { recursive: true, force: true });
  }
});
