import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import { createPrismaClient } from '../../db/client.ts';
import { describeEngine, initEngine } from '../../engine/index.ts';
import { connectClient, temporalConfigFromEnv } from '../../temporal/connection.ts';
import { failStrandedStarts } from '../../temporal/sweeps.ts';
import { connectWorkerConnection } from '../../temporal/worker-connection.ts';
import { createSweepWorker } from '../../temporal/worker.ts';
import { UsageError } from '../errors.ts';

/**
 * One training worker process. TF.js drives one device per process, so the default concurrency is
 * one run at a time; run more processes (or machines) to scale out. Settings come from the
 * environment only: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_* / TEMPORAL_API_KEY,
 * MORPHSWEEP_BACKEND, MORPHSWEEP_THREADS.
 */
export async function runWorker(options: { taskQueue: string; concurrency: number }): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL?.trim();
  if (!databaseUrl) {
    throw new UsageError('a worker needs DATABASE_URL (the PostgreSQL the sweeps are stored in), e.g. DATABASE_URL=postgresql://user:pass@host:5432/morphsweep');
  }
  Runtime.install({ logger: new WorkerLogger(logLevelFromEnv()) });
  const engine = await initEngine();
  // Which engine trains here, and why auto passed over the faster ones: the first line to read when a sweep is slow.
  process.stderr.write(`worker ${process.pid} ${describeEngine(engine)}\n`);
  const connection = await connectWorkerConnection(temporalConfigFromEnv());
  const prisma = createPrismaClient(databaseUrl);
  try {
    const worker = await createSweepWorker({
      connection,
      namespace: temporalConfigFromEnv().namespace,
      taskQueue: options.taskQueue,
      concurrency: options.concurrency,
      prisma,
    });
    const sweepUp = await sweepUpStrandedStarts(prisma);
    // SIGTERM/SIGINT: running runs get cancelled as "worker shutdown", save their state and hand
    // the run back to Temporal, which gives it to another worker.
    const stop = () => {
      void sweepUp.stop();
      worker.shutdown();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.stderr.write(
      `worker ${process.pid} polling task queue "${options.taskQueue}" (${options.concurrency} training slot${options.concurrency === 1 ? '' : 's'}, ${engine.backend} backend, ${engine.threads} thread${engine.threads === 1 ? '' : 's'})\n`,
    );
    try {
      await worker.run();
    } finally {
      await sweepUp.stop();
    }
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.stderr.write(`worker ${process.pid} stopped\n`);
  } finally {
    await prisma.$disconnect();
    await connection.close();
  }
}

/** Every worker looks for rows a crashed request left queued now and then (see failStrandedStarts). */
const SWEEP_UP_EVERY_MS = 60_000;

async function sweepUpStrandedStarts(prisma: ReturnType<typeof createPrismaClient>): Promise<{ stop(): Promise<void> }> {
  const temporal = await connectClient(temporalConfigFromEnv());
  const pass = () =>
    failStrandedStarts({ prisma, client: temporal.client })
      .then((ids) => ids.length > 0 && process.stderr.write(`worker ${process.pid}: marked failed ${ids.length} stranded sweep(s)/retrain(s) whose workflow never started: ${ids.join(', ')}\n`))
      .catch((error: Error) => process.stderr.write(`worker ${process.pid}: could not look for stranded sweeps: ${error.message}\n`));
  const timer = setInterval(pass, SWEEP_UP_EVERY_MS);
  timer.unref();
  let stopping: Promise<void> | undefined;
  return {
    stop: () => (stopping ??= (async () => {
      clearInterval(timer);
      await temporal.close();
    })()),
  };
}

/**
 * The SDK's logger, less one warning: the worker on the training queue runs activities only, by
 * design (see createSweepWorker), and Temporal's core warns at start-up that it polls no workflows.
 */
class WorkerLogger extends DefaultLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (message.startsWith('No workflows registered, not polling for workflow tasks')) return;
    super.log(level, message, meta);
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** MORPHSWEEP_LOG_LEVEL: the Temporal SDK's log level for this worker (default INFO). */
function logLevelFromEnv(): LogLevel {
  const level = (process.env.MORPHSWEEP_LOG_LEVEL?.trim().toUpperCase() || 'INFO') as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`MORPHSWEEP_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${process.env.MORPHSWEEP_LOG_LEVEL}"`);
  return level;
}
