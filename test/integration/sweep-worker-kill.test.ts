import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { querySweepProgress, startSweep, waitForSweep } from '../../src/temporal/sweeps.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { uniqueTaskQueue } from '../support/temporal.ts';
import { connectTestClient, killProcess, startWorkerProcess, sweepDeps, tinySweepConfig, waitUntil, type WorkerProcess } from './sweep-harness.ts';

let database: TestDatabase;
let temporal: Awaited<ReturnType<typeof connectTestClient>>;
const workers: WorkerProcess[] = [];
const taskQueue = uniqueTaskQueue('sweep-kill');

before(async () => {
  database = await createTestDatabase();
  temporal = await connectTestClient();
});

after(async () => {
  for (const worker of workers) await killProcess(worker, 'SIGKILL');
  await temporal?.close();
  await database?.drop();
});

test('a worker killed mid-run: the run resumes from its checkpoint on the other worker, nothing duplicated', async () => {
  workers.push(startWorkerProcess({ taskQueue, databaseUrl: database.url }), startWorkerProcess({ taskQueue, databaseUrl: database.url }));
  await Promise.all(workers.map((worker) => worker.ready));
  const deps = sweepDeps(database.prisma, temporal.client, taskQueue);
  const steps = 40;
  const config = tinySweepConfig({
    name: 'kill',
    thresholds: [0.01],
    strengths: { values: [1e-7, 1e-6] },
    training: { steps, batchSize: 16, evalEvery: 10, checkpointEvery: 5 },
    concurrency: 2,
  });
  const { sweepId } = await startSweep(deps, config);

  // Wait until some run has a checkpoint but is far from done, then kill the worker running it.
  const victim = await waitUntil('a checkpointed run in flight', async () => {
    const checkpoint = await database.prisma.checkpoint.findFirst({ where: { run: { sweepId }, step: { gte: 5, lte: steps - 20 } } });
    if (!checkpoint) return undefined;
    const run = await database.prisma.run.findUniqueOrThrow({ where: { id: checkpoint.runId } });
    const worker = workers.find((candidate) => run.workerIdentity?.endsWith(`:${candidate.pid}`));
    return run.status === 'running' && worker ? { runId: run.id, checkpointStep: checkpoint.step, worker } : undefined;
  });
  await killProcess(victim.worker, 'SIGKILL');
  const survivor = workers.find((worker) => worker !== victim.worker)!;

  const result = await waitForSweep(deps, sweepId);
  assert.equal(result.status, 'completed', survivor.stderr());
  const runs = await database.prisma.run.findMany({ where: { sweepId } });
  assert.equal(runs.length, 2, 'one row per grid point');
  for (const run of runs) {
    assert.equal(run.status, 'completed');
    assert.equal(run.step, steps);
    const curve = await database.prisma.curvePoint.findMany({ where: { runId: run.id }, orderBy: { step: 'asc' } });
    assert.deepEqual(curve.map((point) => point.step), Array.from({ length: steps }, (_, i) => i + 1), 'every step exactly once');
  }
  const resumed = runs.find((run) => run.id === victim.runId)!;
  assert.ok(resumed.attempt >= 2, `attempt ${resumed.attempt}`);
  assert.ok(resumed.workerIdentity?.endsWith(`:${survivor.pid}`), `finished on the surviving worker, not ${resumed.workerIdentity}`);
  const progress = await querySweepProgress(deps, sweepId);
  const resumedFrom = progress!.runs.find((run) => run.runId === victim.runId)!.result!.resumedFromStep!;
  assert.ok(resumedFrom >= victim.checkpointStep, `resumed after step ${resumedFrom}, checkpoint was at ${victim.checkpointStep}`);
  assert.equal(resumedFrom % 5, 0, 'resumed from a checkpoint boundary');
});
