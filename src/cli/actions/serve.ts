import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { WebServerStartError, startWebServer } from '../../../web/lib/server/start.ts';
import { resolveDatabase } from '../../db/resolve-database.ts';
import { taskQueueFromEnv } from '../../temporal/task-queues.ts';
import { resolveTemporal } from '../../temporal/resolve-temporal.ts';
import { UsageError } from '../errors.ts';
import { dataDirFromEnv } from '../services.ts';
import { spawnWorker, stopWorkers } from './demo.ts';

/** Shell-quotes a value for the printed worker command (a URL may hold & or ?). */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The line a user pastes into another shell (or machine) to attach a worker to this server: the
 * real addresses of the embedded database and dev server, which exist only while serve runs. A
 * DATABASE_URL the user gave is referred to by name, so its password is not echoed to the log.
 */
export function workerCommandLine(settings: { databaseUrl: string; databaseFromEnv: boolean; temporalAddress: string; namespace: string; taskQueue: string }): string {
  const database = settings.databaseFromEnv ? 'DATABASE_URL="$DATABASE_URL"' : `DATABASE_URL=${shellQuote(settings.databaseUrl)}`;
  return `${database} TEMPORAL_ADDRESS=${shellQuote(settings.temporalAddress)} TEMPORAL_NAMESPACE=${shellQuote(settings.namespace)} morphsweep worker --task-queue ${shellQuote(settings.taskQueue)}`;
}

/**
 * The dashboard and API in this process until SIGINT/SIGTERM. Route handlers read their services
 * from the environment, so the embedded defaults (used when DATABASE_URL / TEMPORAL_ADDRESS are
 * unset) are published there before the app starts. With `withWorker`, one worker process is
 * started beside it and stopped with it.
 */
export async function serveAction(options: { port: number; host: string; withWorker?: boolean }): Promise<void> {
  const databaseFromEnv = Boolean(process.env.DATABASE_URL?.trim());
  const database = await resolveDatabase({ dataDir: dataDirFromEnv() });
  const temporal = await resolveTemporal().catch(async (error) => {
    await database.stop();
    throw error;
  });
  process.env.DATABASE_URL = database.url;
  process.env.TEMPORAL_ADDRESS = temporal.address;
  process.env.TEMPORAL_NAMESPACE = temporal.namespace;
  const taskQueue = taskQueueFromEnv();
  const workers: ChildProcess[] = [];
  try {
    const server = await startWebServer({ port: options.port, hostname: options.host }).catch((error) => {
      throw error instanceof WebServerStartError ? new UsageError(error.message) : error;
    });
    const command = workerCommandLine({ databaseUrl: database.url, databaseFromEnv, temporalAddress: temporal.address, namespace: temporal.namespace, taskQueue });
    if (options.withWorker) workers.push(spawnWorker(taskQueue, database.url, temporal.address, temporal.namespace));
    process.stderr.write(
      `MorphSweep dashboard and API on ${server.url} (OpenAPI: ${server.url}/api/openapi.json; ` +
        `${server.authRequired ? 'bearer token required: `morphsweep token create <name>`' : 'no token needed on loopback'})\n` +
        (database.embedded ? `Embedded database (PGlite) at ${database.url}, data in ${dataDirFromEnv()}, while this server runs\n` : '') +
        (temporal.devServer ? `Temporal dev server at ${temporal.address}, namespace ${temporal.namespace}, while this server runs\n` : '') +
        (options.withWorker
          ? `Started 1 worker (pid ${workers[0]!.pid}) on task queue ${taskQueue}; attach more from other shells with:\n  ${command}\n`
          : `No worker runs yet: sweeps and retrains stay queued until one polls task queue ${taskQueue}. Start one in another shell with\n  ${command}\n` +
            `or restart with \`morphsweep serve --with-worker\`.\n`),
    );
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    process.stderr.write('stopping ...\n');
    await stopWorkers(workers);
    await server.stop();
  } finally {
    await stopWorkers(workers);
    await temporal.stop();
    await database.stop();
  }
}
