import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createLearnStructureActivity } from '../../activities/learn-structure.ts';
import { registerRuns } from '../../src/db/repositories/runs.ts';
import { insertSweepOnce } from '../../src/db/repositories/sweeps.ts';
import { initEngine } from '../../src/engine/index.ts';
import { parseSweepConfig } from '../../src/sweep/config.ts';
import type { LearnStructureInput, LearnStructureResult } from '../../src/sweep/orchestration.ts';
import { runIdFor } from '../../src/sweep/run-id.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { tinySweepConfig, waitUntil } from './sweep-harness.ts';

/**
 * Two live attempts of one run, as Temporal makes them when a heartbeat times out while the worker
 * still trains (a long step, a partitioned worker): the activity runs twice at once against the real
 * database, the older attempt never told that it lost. Each attempt runs in Temporal's activity test
 * environment, which gives it its attempt number and no server that could cancel it.
 */

let database: TestDatabase;

before(async () => {
  database = await createTestDatabase();
  await initEngine({ threads: 1 });
  // Every checkpoint write that lands, in order, with the attempt that wrote it.
  await database.prisma.$executeRawUnsafe(`CREATE TABLE checkpoint_log (seq serial PRIMARY KEY, run_id text, step int, attempt int)`);
  await database.prisma.$executeRawUnsafe(`
    CREATE FUNCTION log_checkpoint() RETURNS trigger AS $$
    BEGIN INSERT INTO checkpoint_log (run_id, step, attempt) VALUES (NEW."runId", NEW.step, NEW.attempt); RETURN NEW; END
    $$ LANGUAGE plpgsql`);
  await database.prisma.$executeRawUnsafe(`CREATE TRIGGER checkpoint_logged AFTER INSERT OR UPDATE ON "Checkpoint" FOR EACH ROW EXECUTE FUNCTION log_checkpoint()`);
});

after(async () => {
  await database?.drop();
});

const steps = 200;
const config = parseSweepConfig(
  tinySweepConfig({
    name: 'fencing',
    thresholds: [0.01],
    strengths: { values: [1e-6] },
    training: { steps, batchSize: 16, evalEvery: 50, checkpointEvery: 5 },
  }),
);

/** A sweep row with its one run registered, as the sweep workflow leaves them before training. */
async function registeredRun(sweepId: string): Promise<LearnStructureInput> {
  await insertSweepOnce(database.prisma, { id: sweepId, config });
  const point = { index: 0, strength: 1e-6, threshold: 0.01, seed: 0 };
  const runId = runIdFor(sweepId, point);
  await registerRuns(database.prisma, sweepId, [{ runId, strength: point.strength, threshold: point.threshold, seed: point.seed }], steps);
  return { sweepId, runId, config, point };
}

function attempt(number: number) {
  return new MockActivityEnvironment({ attempt: number, activityId: 'fenced' });
}

async function storedOutcome(runId: string) {
  const run = await database.prisma.run.findUniqueOrThrow({ where: { id: runId } });
  const curve = await database.prisma.curvePoint.findMany({ where: { runId }, orderBy: { step: 'asc' } });
  return {
    status: run.status,
    step: run.step,
    costs: [run.costFlops, run.costModelSize, run.costLatencyNs],
    accuracies: [run.valAccuracy, run.testAccuracy],
    structure: run.structure,
    curve: curve.map(({ step, taskLoss, regLoss, cost, valAccuracy }) => ({ step, taskLoss, regLoss, cost, valAccuracy })),
    curveAttempts: curve.map((point) => point.attempt),
    attempt: run.attempt,
  };
}

test('two live attempts of one run: the older trains on but none of its writes land; checkpoint, curve and result are the newer one\'s', async () => {
  const activity = createLearnStructureActivity({ prisma: database.prisma });
  const input = await registeredRun('sw-fencing-two-attempts');

  let olderSettled = false;
  const older = attempt(1)
    .run(activity, input)
    .then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    )
    .finally(() => (olderSettled = true));
  await waitUntil('attempt 1 to checkpoint past step 10', async () => {
    const checkpoint = await database.prisma.checkpoint.findUnique({ where: { runId: input.runId } });
    return checkpoint && checkpoint.step >= 10 ? true : undefined;
  });
  assert.equal(olderSettled, false, 'attempt 1 is still training when attempt 2 starts');

  const newer: LearnStructureResult = await attempt(2).run(activity, input);
  const olderOutcome = await older;
  assert.ok('error' in olderOutcome, 'the older attempt must not complete the run');
  const failure = olderOutcome.error;
  assert.ok(failure instanceof ApplicationFailure, String(failure));
  assert.equal(failure.type, 'StaleAttempt');
  assert.equal(failure.nonRetryable, true);
  assert.match(failure.message, /attempt 1 of run .* no longer owns it/);

  assert.ok(newer.resumedFromStep >= 10, `attempt 2 resumed from attempt 1's checkpoint (step ${newer.resumedFromStep})`);
  const stored = await storedOutcome(input.runId);
  assert.deepEqual([stored.status, stored.step, stored.attempt], ['completed', steps, 2]);
  assert.deepEqual(stored.costs, [newer.costFlops, newer.costModelSize, newer.costLatencyNs]);
  assert.deepEqual(stored.accuracies, [newer.valAccuracy, newer.testAccuracy]);
  // Every step once; from the resume point on, every point is attempt 2's.
  assert.deepEqual(stored.curve.map((point) => point.step), Array.from({ length: steps }, (_, i) => i + 1));
  stored.curve.forEach((point, i) => {
    assert.equal(stored.curveAttempts[i], point.step <= newer.resumedFromStep ? 1 : 2, `step ${point.step}`);
  });
  // Once attempt 2 wrote a checkpoint, attempt 1 never wrote one again.
  const log = await database.prisma.$queryRawUnsafe<Array<{ attempt: number; step: number }>>(
    `SELECT attempt, step FROM checkpoint_log WHERE run_id = $1 ORDER BY seq`,
    input.runId,
  );
  const firstByNewer = log.findIndex((entry) => entry.attempt === 2);
  assert.ok(firstByNewer > 0, JSON.stringify(log));
  assert.ok(log.slice(firstByNewer).every((entry) => entry.attempt === 2), `checkpoint writes in order: ${JSON.stringify(log)}`);
  assert.equal(await database.prisma.checkpoint.count({ where: { runId: input.runId } }), 0, 'the completed run keeps no checkpoint');

  // Nothing mixed: the same run trained by one attempt alone ends in the same numbers and structure.
  const alone = await registeredRun('sw-fencing-alone');
  const uninterrupted: LearnStructureResult = await attempt(1).run(activity, alone);
  assert.equal(uninterrupted.resumedFromStep, 0);
  const reference = await storedOutcome(alone.runId);
  for (const key of ['costs', 'accuracies', 'structure', 'curve'] as const) assert.deepEqual(stored[key], reference[key], key);
});

test('an attempt that starts after a newer one took over is refused at once and trains nothing', async () => {
  const activity = createLearnStructureActivity({ prisma: database.prisma });
  const input = await registeredRun('sw-fencing-late-start');
  await database.prisma.run.update({ where: { id: input.runId }, data: { status: 'running', attempt: 3 } });
  await assert.rejects(attempt(2).run(activity, input), (error: unknown) => error instanceof ApplicationFailure && error.type === 'StaleAttempt');
  const run = await database.prisma.run.findUniqueOrThrow({ where: { id: input.runId } });
  assert.deepEqual([run.status, run.attempt, run.step], ['running', 3, 0]);
  assert.equal(await database.prisma.curvePoint.count({ where: { runId: input.runId } }), 0);
});
