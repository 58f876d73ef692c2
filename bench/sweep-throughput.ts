/**
 * Sweep throughput on this machine for the worker layouts of a 2-core box: the demo sweep
 * (Fashion-MNIST, 3 strengths x 2 thresholds) run end to end by 1 worker x 1 thread, 1 worker x 2
 * threads and 2 workers x 1 thread (the demo's default), as runs per hour, side by side in one run,
 * on the engine auto picks (tfjs-node where setup built it; MORPHSWEEP_BACKEND=wasm for wasm).
 *
 *   node --import tsx test/support/with-services.ts -- node --import tsx bench/sweep-throughput.ts [steps]
 * (or with DATABASE_URL and TEMPORAL_ADDRESS set). Default: the demo's 120 steps per run.
 */
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { demoSweepConfig, spawnWorker, stopWorkers } from '../src/cli/actions/demo.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { listRunsOfSweep } from '../src/db/repositories/runs.ts';
import { temporalConfigFromEnv } from '../src/temporal/connection.ts';
import { startSweep, waitForSweep } from '../src/temporal/sweeps.ts';
import { createTestDatabase } from '../test/support/database.ts';

const steps = Number(process.argv[2] ?? 120);
const database = process.env.DATABASE_URL
  ? { url: process.env.DATABASE_URL, prisma: createPrismaClient(process.env.DATABASE_URL), drop: async () => {} }
  : await createTestDatabase();
const temporalConfig = temporalConfigFromEnv();
const connection = await Connection.connect({ address: temporalConfig.address });
const client = new Client({ connection, namespace: temporalConfig.namespace });

interface ThroughputPass {
  runs: number;
  seconds: number;
  perHour: number;
  /** Every run that did not complete, with why: a throughput number alone would hide them. */
  unfinished: string[];
}

async function runsPerHour(workerCount: number, threads: number): Promise<ThroughputPass> {
  const taskQueue = `bench-throughput-${workerCount}x${threads}-${process.pid}`;
  process.env.MORPHSWEEP_THREADS = String(threads); // spawnWorker passes it on
  const workers = Array.from({ length: workerCount }, () => spawnWorker(taskQueue, database.url, temporalConfig.address, temporalConfig.namespace, 'pipe'));
  try {
    // Timing starts once every worker polls: process start-up is not sweep throughput.
    await Promise.all(workers.map((worker) => waitForPolling(worker.stderr!)));
    const started = performance.now();
    const { sweepId } = await startSweep({ prisma: database.prisma, client, taskQueue }, { ...demoSweepConfig(steps), concurrency: workerCount });
    const result = await waitForSweep({ client }, sweepId);
    const seconds = (performance.now() - started) / 1000;
    const unfinished = (await listRunsOfSweep(database.prisma, sweepId))
      .filter((run) => run.status !== 'completed')
      .map((run) => `strength ${run.strength.toExponential(2)}, threshold ${run.threshold}: ${run.status}, attempt ${run.attempt}${run.error ? `: ${run.error}` : ''}`);
    return { runs: result.counts.completed, seconds, perHour: (result.counts.completed / seconds) * 3600, unfinished };
  } finally {
    await stopWorkers(workers);
  }
}

/** Resolves when the worker says it polls; its stderr keeps being drained afterwards. */
function waitForPolling(stderr: NodeJS.ReadableStream): Promise<void> {
  let seen = '';
  return new Promise((resolve, reject) => {
    stderr.on('data', (chunk) => {
      seen += String(chunk);
      if (seen.includes('polling task queue')) resolve();
    });
    stderr.on('end', () => reject(new Error(`worker exited before polling:\n${seen}`)));
  });
}

try {
  const layouts = [
    { label: '1 worker x 1 thread', workers: 1, threads: 1 },
    { label: '1 worker x 2 threads', workers: 1, threads: 2 },
    { label: '2 workers x 1 thread', workers: 2, threads: 1 },
  ];
  const passes = [];
  for (const layout of layouts) passes.push({ ...layout, pass: await runsPerHour(layout.workers, layout.threads), load: os.loadavg()[0]!.toFixed(1) });
  console.log(`demo sweep, ${steps} steps per run, engine ${process.env.MORPHSWEEP_BACKEND || 'auto'} (timings are noisy when the machine is shared)`);
  console.log('| layout | runs | seconds | runs/hour | vs 1 x 1 | load avg after |');
  console.log('|---|---|---|---|---|---|');
  for (const { label, pass, load } of passes) {
    console.log(`| ${label} | ${pass.runs} | ${pass.seconds.toFixed(1)} | ${pass.perHour.toFixed(0)} | ${(pass.perHour / passes[0]!.pass.perHour).toFixed(2)}x | ${load} |`);
  }
  for (const { label, pass } of passes) for (const run of pass.unfinished) console.log(`${label}: not completed: ${run}`);
} finally {
  await connection.close();
  await database.drop();
}
