import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { connectClient, TemporalConfigError, temporalConfigFromEnv, TemporalUnreachableError } from '../../src/temporal/connection.ts';
import { connectWorkerConnection } from '../../src/temporal/worker-connection.ts';
import { freePort } from '../support/postgres-cluster.ts';
import { testTemporal } from '../support/temporal.ts';

test('an unreachable TEMPORAL_ADDRESS fails fast with one error naming the address and what to do', async () => {
  const address = `127.0.0.1:${await freePort()}`; // nothing listens there
  for (const connect of [connectClient, connectWorkerConnection]) {
    const startedMs = performance.now();
    await assert.rejects(connect({ address, namespace: 'default' }, { connectTimeoutMs: 1_000 }), (error: Error) => {
      assert.ok(error instanceof TemporalUnreachableError, `${connect.name}: ${error.name}`);
      assert.match(error.message, new RegExp(`Cannot reach the Temporal server at ${address.replace(/\./g, '\\.')}`));
      assert.match(error.message, /TEMPORAL_ADDRESS/);
      return true;
    });
    assert.ok(performance.now() - startedMs < 5_000, `${connect.name} took too long to give up`);
  }
});

test('a server that accepts TCP but never answers gRPC is given up on within the connect timeout', async () => {
  const openSockets = new Set<Socket>();
  const silent = createServer((socket) => openSockets.add(socket)); // accepts and says nothing
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  try {
    for (const connect of [connectClient, connectWorkerConnection]) {
      const startedMs = performance.now();
      await assert.rejects(connect({ address, namespace: 'default' }, { connectTimeoutMs: 1_500 }), TemporalUnreachableError);
      assert.ok(performance.now() - startedMs < 6_000, `${connect.name} took too long to give up`);
    }
  } finally {
    for (const socket of openSockets) socket.destroy();
    silent.close();
  }
});

test('connectClient and connectWorkerConnection reach the shared dev server', async () => {
  const config = testTemporal();
  const handle = await connectClient(config);
  const worker = await connectWorkerConnection(config);
  try {
    const namespace = await handle.connection.workflowService.describeNamespace({ namespace: config.namespace });
    assert.equal(namespace.namespaceInfo?.name, config.namespace);
  } finally {
    await worker.close();
    await handle.close();
  }
});

test('configuration comes from the environment with defaults, and bad settings are clear errors', async () => {
  assert.deepEqual(temporalConfigFromEnv({}), { address: 'localhost:7233', namespace: 'default' });
  assert.deepEqual(temporalConfigFromEnv({ TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns', TEMPORAL_API_KEY: 'k' }), {
    address: 'ns.tmprl.cloud:7233',
    namespace: 'ns',
    apiKey: 'k',
    tls: true,
  });
  assert.throws(() => temporalConfigFromEnv({ TEMPORAL_ADDRESS: 'http://localhost:7233' }), (error: Error) => error instanceof TemporalConfigError && /TEMPORAL_ADDRESS: must be host:port/.test(error.message));
  assert.throws(() => temporalConfigFromEnv({ TEMPORAL_TLS_CERT_PATH: '/x.pem' }), /set both or neither/);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'morphsweep-tls-'));
  try {
    await writeFile(path.join(dir, 'client.pem'), 'CERT');
    await writeFile(path.join(dir, 'client.key'), 'KEY');
    await writeFile(path.join(dir, 'ca.pem'), 'CA');
    const config = temporalConfigFromEnv({
      TEMPORAL_TLS_CERT_PATH: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_KEY_PATH: path.join(dir, 'client.key'),
      TEMPORAL_TLS_CA_PATH: path.join(dir, 'ca.pem'),
    });
    assert.ok(config.tls && config.tls !== true);
    assert.equal(config.tls.clientCertPair?.crt.toString(), 'CERT');
    assert.equal(config.tls.clientCertPair?.key.toString(), 'KEY');
    assert.equal(config.tls.serverRootCACertificate?.toString(), 'CA');
    const missingCa = path.join(dir, 'missing.pem');
    assert.throws(() => temporalConfigFromEnv({ TEMPORAL_TLS_CA_PATH: missingCa }), (error: Error) => error.message.includes(`TEMPORAL_TLS_CA_PATH=${missingCa} cannot be read`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
