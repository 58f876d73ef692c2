import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import pg from 'pg';
import { createActivities } from '../../activities/index.ts';
import { cancelSweep, querySweepProgress, startSweep, waitForSweep } from '../../src/temporal/sweeps.ts';
import { trainingTaskQueueFor } from '../../src/temporal/task-queues.ts';
import { sweepWorkflowBundle } from '../../src/temporal/worker.ts';
import { connectWorkerConnection } from '../../src/temporal/worker-connection.ts';
import { testTemporal, uniqueTaskQueue } from '../support/temporal.ts';
import { tinySweepConfig, useSweepTestEnvironment, waitUntil } from './sweep-harness.ts';

/** Failures in the middle of a run and of a sweep, through the real Temporal server and worker. */

const env = useSweepTestEnvironment('sweep-recovery');

async function storedRuns(sweepId: string) {
  const runs = await env.database.prisma.run.findMany({
    where: { sweepId },
    orderBy: [{ strength: 'asc' }, { seed: 'asc' }],
    include: { curve: { orderBy: { step: 'asc' } } },
  });
  return runs.map((run) => ({
    ...run,
    outcome: {
      costs: [run.costFlops, run.costModelSize, run.costLatencyNs],
      accuracies: [run.valAccuracy, run.testAccuracy],
      structure: run.structure,
      curve: run.curve.map(({ step, taskLoss, regLoss, cost, valAccuracy }) => ({ step, taskLoss, regLoss, cost, valAccuracy })),
    },
  }));
}

test('a checkpoint write that fails (database full) fails that attempt cleanly; the next resumes from the previous good checkpoint', async () => {
  const deps = env.deps();
  const { prisma } = env.database;
  const name = 'checkpoint write failure';
  // The database refuses attempt 1's step-10 checkpoint of this sweep's run, as a full disk would.
  await prisma.$executeRawUnsafe(`
    CREATE FUNCTION fail_one_checkpoint() RETURNS trigger AS $$
    BEGIN
      IF NEW.step = 10 AND NEW.attempt = 1
         AND EXISTS (SELECT 1 FROM "Run" r JOIN "Sweep" s ON s.id = r."sweepId" WHERE r.id = NEW."runId" AND s.name = '${name}') THEN
        RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await prisma.$executeRawUnsafe(`CREATE TRIGGER checkpoint_disk_full BEFORE INSERT OR UPDATE ON "Checkpoint" FOR EACH ROW EXECUTE FUNCTION fail_one_checkpoint()`);
  const steps = 40;
  const config = (sweepName: string) =>
    tinySweepConfig({ name: sweepName, thresholds: [0.01], strengths: { values: [1e-6] }, training: { steps, batchSize: 16, evalEvery: 10, checkpointEvery: 5 } });

  const { sweepId } = await startSweep(deps, config(name));
  assert.equal((await waitForSweep(deps, sweepId)).status, 'completed');
  const [run] = await storedRuns(sweepId);
  assert.deepEqual([run!.status, run!.attempt, run!.step], ['completed', 2, steps]);
  const progress = await querySweepProgress(deps, sweepId);
  assert.equal(progress!.runs[0]!.result!.resumedFromStep, 5, 'attempt 2 resumed from the step-5 checkpoint, the last one written');
  // The refused write left nothing half-done: attempt 1's points past step 5 were replaced by attempt 2's.
  assert.deepEqual(run!.curve.map((point) => point.step), Array.from({ length: steps }, (_, i) => i + 1));
  assert.deepEqual([...new Set(run!.curve.filter((point) => point.step > 5).map((point) => point.attempt))], [2]);
  const history = await env.client.workflow.getHandle(sweepId).fetchHistory();
  const started = history.events!.map((event) => event.activityTaskStartedEventAttributes).filter((attributes) => attributes?.attempt === 2);
  assert.match(started[0]?.lastFailure?.message ?? '', /No space left on device/, 'attempt 1 failed on the refused write');

  // The same config without the failure ends in the same structure, costs, accuracies and curve.
  const { sweepId: referenceId } = await startSweep(deps, config('checkpoint write reference'));
  assert.equal((await waitForSweep(deps, referenceId)).status, 'completed');
  const [reference] = await storedRuns(referenceId);
  assert.equal(reference!.attempt, 1);
  assert.deepEqual(run!.outcome, reference!.outcome);
});

test('heartbeats go on during a final evaluation longer than the heartbeat timeout: the run is not retried', async () => {
  const heartbeatTimeoutMs = 1_000;
  const deps = { ...env.deps(), orchestration: { heartbeatTimeoutMs, retryInitialIntervalMs: 200 } };
  // 24,000 test images of 28x28: scoring them all takes seconds, the training steps milliseconds.
  const config = tinySweepConfig({
    name: 'long final evaluation',
    dataset: 'synthetic:classes=3,size=28,channels=1,train=96,test=24000,seed=1',
    thresholds: [0.01],
    strengths: { values: [1e-6] },
    training: { steps: 4, batchSize: 16, evalEvery: 4, checkpointEvery: 2 },
  });
  const { sweepId } = await startSweep(deps, config);
  assert.equal((await waitForSweep(deps, sweepId)).status, 'completed');
  const [run] = await storedRuns(sweepId);
  assert.equal(run!.status, 'completed');
  assert.equal(run!.attempt, 1, 'no heartbeat timeout, so no second attempt');
  // The last curve point is stored before the test split is scored, the result after.
  const testEvaluationMs = run!.finishedAt!.getTime() - run!.curve.at(-1)!.createdAt.getTime();
  assert.ok(testEvaluationMs > heartbeatTimeoutMs, `the final test evaluation took ${testEvaluationMs} ms, more than the ${heartbeatTimeoutMs} ms heartbeat timeout`);
});

test('a cancel sent as an execution hands over to the next (continue-as-new) is not lost', async () => {
  const deps = { ...env.deps(), orchestration: { runsPerExecution: 1 } };
  const { prisma } = env.database;
  // Told the moment the first run's result is committed: the cancel then arrives while that
  // execution finishes its batch and continues as new.
  await prisma.$executeRawUnsafe(`
    CREATE FUNCTION notify_run_completed() RETURNS trigger AS $$
    BEGIN IF NEW.status = 'completed' AND OLD.status <> 'completed' THEN PERFORM pg_notify('run_completed', NEW."sweepId"); END IF; RETURN NEW; END
    $$ LANGUAGE plpgsql`);
  await prisma.$executeRawUnsafe(`CREATE TRIGGER run_completed AFTER UPDATE ON "Run" FOR EACH ROW EXECUTE FUNCTION notify_run_completed()`);
  const listener = new pg.Client({ connectionString: env.database.url });
  await listener.connect();
  try {
    await listener.query('LISTEN run_completed');
    const config = tinySweepConfig({
      name: 'cancel at continue-as-new',
      thresholds: [0.01],
      strengths: { values: [1e-9, 2e-9, 3e-9, 4e-9] },
      training: { steps: 2, batchSize: 16, evalEvery: 2, checkpointEvery: 2 },
      concurrency: 1,
    });
    let sweepId = '';
    let cancelled: Promise<unknown> | undefined;
    listener.on('notification', (message) => {
      if (message.payload === sweepId && !cancelled) cancelled = cancelSweep(deps, sweepId);
    });
    sweepId = (await startSweep(deps, config)).sweepId;
    const result = await waitForSweep(deps, sweepId);
    assert.ok(cancelled, 'a run completed and the cancel was sent');
    assert.deepEqual(await cancelled, { sweepId, outcome: 'cancelling' });
    assert.equal(result.status, 'cancelled', JSON.stringify(result.counts));
    const runs = await prisma.run.findMany({ where: { sweepId } });
    const statuses = runs.map((run) => run.status);
    assert.ok(statuses.filter((status) => status === 'completed').length <= 2, `runs: ${statuses}`);
    // Each execution registers only its own batch: runs of later executions that never came have no row.
    assert.ok(runs.filter((run) => run.startedAt !== null).length < 4, `the sweep stopped before its last runs started: ${statuses}`);
    assert.equal((await prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } })).status, 'cancelled');
    assert.equal(result.counts.completed + result.counts.cancelled, 4, JSON.stringify(result.counts));
  } finally {
    await listener.end();
  }
  await waitUntil('no run left running', async () => ((await prisma.run.count({ where: { status: 'running' } })) === 0 ? true : undefined), 10_000);
});

test('a run that fails for its own reason after the sweep\'s cancel was requested is shown as failed, not cancelled', async () => {
  // The real sweep workflow and bookkeeping; a training activity that, once it hears of the cancel,
  // fails as a vanished structure would: the one moment no real run can be timed to hit.
  const taskQueue = uniqueTaskQueue('failed-after-cancel');
  const connection = await connectWorkerConnection(testTemporal());
  const realActivities = createActivities({ prisma: env.database.prisma });
  let heardCancel = false;
  const failingAfterCancel = async (): Promise<never> => {
    const context = Context.current();
    for (;;) {
      context.heartbeat();
      if (context.cancellationSignal.aborted) {
        heardCancel = true;
        throw ApplicationFailure.nonRetryable('every channel of conv2 vanished', 'InvalidStructure');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const orchestration = await Worker.create({
    connection,
    namespace: testTemporal().namespace,
    taskQueue,
    workflowBundle: await sweepWorkflowBundle(),
    activities: realActivities,
  });
  const training = await Worker.create({
    connection,
    namespace: testTemporal().namespace,
    taskQueue: trainingTaskQueueFor(taskQueue),
    activities: { learnStructure: failingAfterCancel },
    maxHeartbeatThrottleInterval: 100,
  });
  const running = Promise.all([orchestration.run(), training.run()]);
  try {
    const deps = { ...env.deps(), taskQueue };
    const { sweepId } = await startSweep(deps, tinySweepConfig({ name: 'failed after cancel', thresholds: [0.01], strengths: { values: [1e-7] } }));
    await waitUntil('the run to start', async () => ((await querySweepProgress(deps, sweepId))?.runs[0]?.state === 'running' ? true : undefined));
    await cancelSweep(deps, sweepId);
    const result = await waitForSweep(deps, sweepId);
    assert.ok(heardCancel, 'the run failed after the cancel reached it');
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(result.counts, { pending: 0, running: 0, completed: 0, failed: 1, cancelled: 0 });
    const progress = await querySweepProgress(deps, sweepId);
    assert.equal(progress!.runs[0]!.state, 'failed');
    assert.match(progress!.runs[0]!.error ?? '', /vanished/);
    const run = await env.database.prisma.run.findFirstOrThrow({ where: { sweepId } });
    assert.deepEqual([run.status, run.error], ['failed', 'every channel of conv2 vanished']);
  } finally {
    orchestration.shutdown();
    training.shutdown();
    await running;
    await connection.close();
  }
});
