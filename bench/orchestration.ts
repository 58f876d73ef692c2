/**
 * Orchestration overhead per run: the same trivial structure-learning runs (1 step, tiny synthetic
 * data, quarter-width network) executed twice in one process, side by side:
 *   direct   - the learnStructure activity called in a loop (no Temporal), one after another;
 *   temporal - a sweep of the same grid through the workflow, with N worker slots.
 * Overhead per run = (temporal wall - direct wall) / runs. TF.js work is CPU-bound in one process, so
 * extra slots overlap only waiting (DB, Temporal round trips), never training: the difference is
 * what the fan-out costs. Target: < 0.5 s per run.
 *
 *   node --import tsx test/support/with-services.ts -- node --import tsx bench/orchestration.ts [runs] [workers]
 * (or with DATABASE_URL and TEMPORAL_ADDRESS set). Defaults: 200 runs, 4 worker slots.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { createActivities } from '../activities/index.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { insertSweepOnce } from '../src/db/repositories/sweeps.ts';
import { registerRuns } from '../src/db/repositories/runs.ts';
import { initEngine } from '../src/engine/index.ts';
import { parseSweepConfig } from '../src/sweep/config.ts';
import { expandGrid } from '../src/sweep/grid.ts';
import { runIdFor } from '../src/sweep/run-id.ts';
import { temporalConfigFromEnv } from '../src/temporal/connection.ts';
import { connectWorkerConnection } from '../src/temporal/worker-connection.ts';
import { startSweep, waitForSweep } from '../src/temporal/sweeps.ts';
import { createSweepWorker } from '../src/temporal/worker.ts';
import { createTestDatabase } from '../test/support/database.ts';

const runCount = Number(process.argv[2] ?? 200);
const workerSlots = Number(process.argv[3] ?? 4);
Runtime.install({ logger: new DefaultLogger('WARN') });
await initEngine();

// 2 thresholds x runCount/2 explicit strengths: every run is the same trivial amount of work.
const config = parseSweepConfig({
  name: 'orchestration bench',
  dataset: 'synthetic:classes=3,size=8,channels=1,train=64,test=32,seed=1',
  network: { name: 'reference-cnn', widthMultiplier: 0.25 },
  regularizer: { algorithm: 'gamma', cost: 'flops' },
  thresholds: [0.001, 0.002],
  strengths: { values: Array.from({ length: Math.ceil(runCount / 2) }, (_, i) => 1e-9 * (i + 1)) },
  training: { steps: 1, batchSize: 16, evalEvery: 1, checkpointEvery: 1 },
  concurrency: workerSlots,
});

const database = process.env.DATABASE_URL
  ? { url: process.env.DATABASE_URL, prisma: createPrismaClient(process.env.DATABASE_URL), drop: async () => {} }
  : await createTestDatabase();
const prisma = database.prisma;
const temporalConfig = temporalConfigFromEnv();
const connection = await Connection.connect({ address: temporalConfig.address });
const client = new Client({ connection, namespace: temporalConfig.namespace });

try {
  // direct: the activity body alone, in a mock activity context.
  const directSweepId = 'bench-direct';
  await insertSweepOnce(prisma, { id: directSweepId, config });
  const points = expandGrid(config, 1);
  await registerRuns(prisma, directSweepId, points.map((point) => ({ runId: runIdFor(directSweepId, point), ...point })), 1);
  const activities = createActivities({ prisma });
  // Warm-up outside the timings: dataset load and first-use kernel set-up would bias the first side.
  const [warmUpPoint, ...timedPoints] = points;
  await new MockActivityEnvironment().run(activities.learnStructure, { sweepId: directSweepId, runId: runIdFor(directSweepId, warmUpPoint!), config, point: warmUpPoint! });
  const directStart = performance.now();
  for (const point of timedPoints) {
    await new MockActivityEnvironment().run(activities.learnStructure, { sweepId: directSweepId, runId: runIdFor(directSweepId, point), config, point });
  }
  // Scaled to the full grid so both sides cover the same number of runs.
  const directSeconds = ((performance.now() - directStart) / 1000) * (points.length / timedPoints.length);

  // temporal: the same grid as a sweep (plus its seed-cost activity and bookkeeping).
  const taskQueue = `bench-orchestration-${process.pid}`;
  const workerConnection = await connectWorkerConnection(temporalConfig);
  const worker = await createSweepWorker({ connection: workerConnection, namespace: temporalConfig.namespace, taskQueue, concurrency: workerSlots, prisma });
  const running = worker.run();
  const temporalStart = performance.now();
  const { sweepId } = await startSweep({ prisma, client, taskQueue }, config);
  const result = await waitForSweep({ client }, sweepId);
  const temporalSeconds = (performance.now() - temporalStart) / 1000;
  worker.shutdown();
  await running;
  await workerConnection.close();

  const overheadPerRun = (temporalSeconds - directSeconds) / points.length;
  console.log(`runs: ${points.length} (${result.counts.completed} completed through Temporal), worker slots: ${workerSlots}`);
  console.log(`direct (no Temporal):   ${directSeconds.toFixed(1)} s  (${((directSeconds / points.length) * 1000).toFixed(0)} ms/run)`);
  console.log(`through Temporal:       ${temporalSeconds.toFixed(1)} s  (${((temporalSeconds / points.length) * 1000).toFixed(0)} ms/run)`);
  console.log(`ratio temporal/direct:  ${(temporalSeconds / directSeconds).toFixed(2)}`);
  console.log(`orchestration overhead: ${overheadPerRun.toFixed(3)} s per run (target < 0.5 s)`);
} finally {
  await connection.close();
  await database.drop();
}
