import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { initEngine } from '../../src/engine/index.ts';
import type { PrismaClient } from '../../src/db/client.ts';
import type { SweepConfigInput } from '../../src/sweep/config.ts';
import type { OrchestrationOptions } from '../../src/sweep/orchestration.ts';
import { connectWorkerConnection } from '../../src/temporal/worker-connection.ts';
import type { SweepDeps } from '../../src/temporal/sweeps.ts';
import { createSweepWorker } from '../../src/temporal/worker.ts';
import { after, before } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testTemporal, uniqueTaskQueue } from '../support/temporal.ts';
import { startWebApp, type RunningWebApp } from '../support/web-app.ts';

/** Shared set-up of the sweep integration tests (not a test file itself). */

const BIN_PATH = fileURLToPath(new URL('../../bin/morphsweep.mjs', import.meta.url));

/** Learnable in a few dozen steps, 8x8 so each step takes milliseconds. */
export const TINY_DATASET = 'synthetic:classes=3,size=8,channels=1,train=96,test=48,seed=1';

export function tinySweepConfig(overrides: Partial<SweepConfigInput> = {}): SweepConfigInput {
  return {
    name: 'tiny sweep',
    tags: ['test'],
    dataset: TINY_DATASET,
    validationFraction: 0.25,
    network: { name: 'reference-cnn', widthMultiplier: 0.25 },
    regularizer: { algorithm: 'gamma', cost: 'flops' },
    thresholds: [0.01, 0.5],
    strengths: { values: [1e-7, 1e-5] },
    training: { steps: 8, batchSize: 16, learningRate: 0.05, evalEvery: 4, checkpointEvery: 4 },
    seeds: [0],
    concurrency: 2,
    ...overrides,
  };
}

/** Short timeouts so a killed worker's run moves within seconds, not the production 30 s. */
export const FAST_ORCHESTRATION: OrchestrationOptions = { heartbeatTimeoutMs: 3_000, retryInitialIntervalMs: 200 };

export async function connectTestClient(): Promise<{ client: Client; close(): Promise<void> }> {
  const { address, namespace } = testTemporal();
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}

export function sweepDeps(prisma: PrismaClient, client: Client, taskQueue: string): SweepDeps {
  return { prisma, client, taskQueue, orchestration: FAST_ORCHESTRATION };
}

/** A worker inside the test process: fastest to start, for tests that do not kill workers. */
export async function startInProcessWorker(
  prisma: PrismaClient,
  taskQueue: string,
  concurrency = 2,
  /** Another server than the shared dev server (a test that restarts its own). */
  config = testTemporal(),
): Promise<{ stop(): Promise<void> }> {
  quietTemporalLogs();
  await initEngine({ threads: 1 });
  const connection = await connectWorkerConnection(config);
  const worker = await createSweepWorker({ connection, namespace: config.namespace, taskQueue, concurrency, prisma });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

let runtimeInstalled = false;
/**
 * Worker state changes at INFO drown test output; warnings (failed activities) stay. Call it before
 * anything else creates the SDK's runtime (a worker, or a dev server started through the SDK).
 */
export function quietTemporalLogs(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves once the worker printed that it polls its queue. */
  ready: Promise<void>;
  exited: Promise<unknown>;
  stderr(): string;
}

/** A real `morphsweep worker` process, as deployments run it (settings through the environment). */
export function startWorkerProcess(options: { taskQueue: string; databaseUrl: string }): WorkerProcess {
  const { address, namespace } = testTemporal();
  const child = spawn(process.execPath, [BIN_PATH, 'worker', '--task-queue', options.taskQueue, '--concurrency', '1'], {
    env: { ...process.env, DATABASE_URL: options.databaseUrl, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, MORPHSWEEP_THREADS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = once(child, 'exit');
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('polling task queue')) resolve();
    });
    exited.then(() => reject(new Error(`worker exited before it was ready:\n${stderr}`)));
  });
  ready.catch(() => {});
  return { child, pid: child.pid!, ready, exited, stderr: () => stderr };
}

export async function killProcess(worker: WorkerProcess, signal: NodeJS.Signals): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill(signal);
  await worker.exited;
}

/** Poll until `check` returns a value (not undefined), or fail after `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface SweepTestEnvironment {
  /** Filled in by the file's `before` hook. */
  database: TestDatabase;
  client: Client;
  deps(): SweepDeps;
}

/**
 * The per-file set-up the sweep tests share: a fresh database, a Temporal client and an in-process
 * worker on a task queue of the file's own, all torn down after the file.
 */
export function useSweepTestEnvironment(purpose: string): SweepTestEnvironment {
  const taskQueue = uniqueTaskQueue(purpose);
  let temporal: Awaited<ReturnType<typeof connectTestClient>> | undefined;
  let worker: Awaited<ReturnType<typeof startInProcessWorker>> | undefined;
  const environment = {
    deps: () => sweepDeps(environment.database.prisma, environment.client, taskQueue),
  } as SweepTestEnvironment;
  before(async () => {
    environment.database = await createTestDatabase();
    temporal = await connectTestClient();
    environment.client = temporal.client;
    worker = await startInProcessWorker(environment.database.prisma, taskQueue);
  });
  after(async () => {
    await worker?.stop();
    await temporal?.close();
    await environment.database?.drop();
  });
  return environment;
}

export interface AppWithWorker {
  database: TestDatabase;
  app: RunningWebApp;
  /** The queue the app sends sweeps to and the worker polls (for CLI calls against the same worker). */
  taskQueue: string;
  /** Stops the worker and the app, then drops the database. */
  stop(): Promise<void>;
}

/**
 * A fresh database, the built app sending sweeps to a task queue of its own on the shared Temporal
 * dev server, and an in-process worker training them: what the end-to-end API and dashboard tests run
 * against. If either fails to start, whatever did start is stopped before the error is thrown.
 */
export async function startAppWithWorker(
  purpose: string,
  options: { env?: Record<string, string>; workerConcurrency?: number } = {},
): Promise<AppWithWorker> {
  const database = await createTestDatabase();
  const taskQueue = uniqueTaskQueue(purpose);
  const { address, namespace } = testTemporal();
  const [app, worker] = await Promise.allSettled([
    startWebApp({
      databaseUrl: database.url,
      env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, MORPHSWEEP_TASK_QUEUE: taskQueue, ...options.env },
    }),
    startInProcessWorker(database.prisma, taskQueue, options.workerConcurrency),
  ]);
  const stop = async () => {
    if (worker.status === 'fulfilled') await worker.value.stop();
    if (app.status === 'fulfilled') await app.value.stop();
    await database.drop();
  };
  if (app.status === 'rejected' || worker.status === 'rejected') {
    await stop();
    throw app.status === 'rejected' ? app.reason : (worker as PromiseRejectedResult).reason;
  }
  return { database, app: app.value, taskQueue, stop };
}
