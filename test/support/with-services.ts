/**
 * `node --import tsx test/support/with-services.ts -- <command...>`: starts a private PostgreSQL 15
 * cluster and a Temporal dev server once, runs the command with their addresses in its environment,
 * always tears both down, and exits with the command's code. Missing servers fail the run: tests
 * never skip because a service is absent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { startTemporalDevServer, type DevServer } from '../../src/temporal/dev-server.ts';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.ts';
import { TEST_PG_URL_VARIABLE } from './services-env.ts';

const separatorIndex = process.argv.indexOf('--');
const command = separatorIndex >= 0 ? process.argv.slice(separatorIndex + 1) : [];
if (command.length === 0) {
  console.error('usage: node --import tsx test/support/with-services.ts -- <command> [args...]');
  process.exit(2);
}

const startedAtMs = performance.now();
const secondsSince = (fromMs: number) => ((performance.now() - fromMs) / 1000).toFixed(1);
let postgres: PostgresCluster | undefined;
let temporal: DevServer | undefined;
let child: ChildProcess | undefined;
let interruptedBy: NodeJS.Signals | undefined;

// Installed before anything starts: an interrupt during start-up waits for the servers that are
// starting, so that they can be stopped instead of left running.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (child) child.kill(signal);
    else interruptedBy ??= signal;
  });
}

async function stopServices(): Promise<void> {
  await Promise.all([postgres?.stop(), temporal?.stop()].map((stopping) => stopping?.catch((error) => console.error(`with-services: teardown: ${error.message}`))));
}

try {
  // Started side by side: together they are most of a short test run's fixed cost.
  const [startedPostgres, startedTemporal] = await Promise.allSettled([
    startPostgresCluster().then((cluster) => {
      console.error(`with-services: PostgreSQL 15 at 127.0.0.1:${cluster.port} (${secondsSince(startedAtMs)} s)`);
      return cluster;
    }),
    startTemporalDevServer().then((server) => {
      console.error(`with-services: Temporal dev server at ${server.address} (${secondsSince(startedAtMs)} s)`);
      return server;
    }),
  ]);
  if (startedPostgres.status === 'fulfilled') postgres = startedPostgres.value;
  if (startedTemporal.status === 'fulfilled') temporal = startedTemporal.value;
  const failures = [startedPostgres, startedTemporal].filter((result) => result.status === 'rejected');
  if (failures.length > 0) throw new AggregateError(failures.map((failure) => failure.reason));
} catch (error) {
  const reasons = error instanceof AggregateError ? error.errors : [error];
  for (const reason of reasons) console.error(`with-services: cannot start the test services: ${(reason as Error).message}`);
  await stopServices();
  process.exit(1);
}
if (interruptedBy) {
  await stopServices();
  process.exit(128 + os.constants.signals[interruptedBy]);
}
console.error(`with-services: services ready in ${secondsSince(startedAtMs)} s`);

const childEnv: NodeJS.ProcessEnv = {
  ...process.env,
  [TEST_PG_URL_VARIABLE]: postgres!.adminUrl,
  TEMPORAL_ADDRESS: temporal!.address,
  TEMPORAL_NAMESPACE: temporal!.namespace,
};
// Tests must never reach a developer's own database or cluster through inherited settings.
for (const inherited of ['DATABASE_URL', 'TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH', 'TEMPORAL_TLS_CA_PATH', 'TEMPORAL_API_KEY']) {
  delete childEnv[inherited];
}

const runningChild = spawn(command[0], command.slice(1), { stdio: 'inherit', env: childEnv });
child = runningChild;
const exitCode = await new Promise<number>((resolve) => {
  runningChild.once('error', (error) => {
    console.error(`with-services: cannot run ${command[0]}: ${error.message}`);
    resolve(127);
  });
  runningChild.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
});
await stopServices();
process.exit(exitCode);
