import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSweep, waitForSweep } from '../../src/temporal/sweeps.ts';
import { createTestDatabase, startPrivatePostgres, type PostgresCluster, type TestDatabase } from '../support/database.ts';
import { uniqueTaskQueue } from '../support/temporal.ts';
import { connectTestClient, startInProcessWorker, sweepDeps, tinySweepConfig, waitUntil } from './sweep-harness.ts';

let cluster: PostgresCluster;
let database: TestDatabase;
let temporal: Awaited<ReturnType<typeof connectTestClient>>;
let worker: Awaited<ReturnType<typeof startInProcessWorker>>;
const taskQueue = uniqueTaskQueue('sweep-db-restart');

before(async () => {
  // A cluster of our own: restarting the shared one would cut every other test file's connections.
  cluster = await startPrivatePostgres();
  database = await createTestDatabase({ adminUrl: cluster.adminUrl });
  temporal = await connectTestClient();
  worker = await startInProcessWorker(database.prisma, taskQueue);
});

after(async () => {
  await worker?.stop();
  await temporal?.close();
  await database?.drop().catch(() => {});
  await cluster?.stop();
});

test('a database restart during a run delays the sweep but loses nothing', async () => {
  const deps = sweepDeps(database.prisma, temporal.client, taskQueue);
  // Long enough that the runs are still training, and writing every 5 steps, while the database is down.
  const steps = 200;
  const config = tinySweepConfig({
    name: 'db restart',
    thresholds: [0.01],
    strengths: { values: [1e-7, 1e-6] },
    training: { steps, batchSize: 16, evalEvery: 10, checkpointEvery: 5 },
  });
  const { sweepId } = await startSweep(deps, config);
  await waitUntil('a run to write its first checkpoint', async () =>
    (await database.prisma.checkpoint.count({ where: { run: { sweepId } } })) > 0 ? true : undefined,
  );
  await cluster.restart({ downMs: 2_000 });
  const restartedAt = new Date();

  const result = await waitForSweep(deps, sweepId);
  assert.equal(result.status, 'completed');
  const runs = await database.prisma.run.findMany({ where: { sweepId } });
  assert.equal(runs.length, 2);
  // The outage really hit a run in flight: its write failed, the attempt with it, and the next
  // attempt finished after the database was back.
  assert.ok(runs.some((run) => run.attempt >= 2), `attempts ${runs.map((run) => run.attempt)}`);
  const history = await temporal.client.workflow.getHandle(sweepId).fetchHistory();
  const retried = history.events!.map((event) => event.activityTaskStartedEventAttributes).filter((attributes) => (attributes?.attempt ?? 0) >= 2);
  assert.ok(retried.length > 0, 'a training attempt failed during the outage');
  assert.match(retried[0]!.lastFailure?.message ?? '', /database|connect|terminat|ECONN|reach/i, retried[0]!.lastFailure?.message ?? '');
  for (const run of runs) {
    assert.equal(run.status, 'completed', `${run.id}: ${run.error}`);
    assert.ok(run.finishedAt! > restartedAt, `${run.id} finished after the restart`);
    assert.ok(run.costFlops !== null && run.valAccuracy !== null && run.structure !== null);
    const steps_ = await database.prisma.curvePoint.findMany({ where: { runId: run.id }, select: { step: true }, orderBy: { step: 'asc' } });
    assert.deepEqual(steps_.map((point) => point.step), Array.from({ length: steps }, (_, i) => i + 1), 'no curve point lost or doubled');
  }
  assert.equal((await database.prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } })).status, 'completed');
});
