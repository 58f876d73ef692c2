import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Prisma, RunStatus, SweepStatus } from '../../src/db/client.ts';
import { StaleAttemptError } from '../../src/db/repositories/attempts.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/db/repositories/checkpoints.ts';
import { appendCurvePoints, dropCurveAfter } from '../../src/db/repositories/curves.ts';
import { markRetrainRunning, recordRetrainStep } from '../../src/db/repositories/retrains.ts';
import { completeRun, failRunAttempt, markRunStarted } from '../../src/db/repositories/runs.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

test('after migrating, the Prisma client writes and reads every model, and deleting a sweep cascades', async () => {
  const { prisma } = database;
  const sweep = await prisma.sweep.create({
    data: { id: 'sweep-1', name: 'roundtrip', tags: ['a', 'b'], config: { thresholds: [0.01] }, costAxis: 'flops', seedCost: { flops: 1.5e9 }, idempotencyKey: 'key-1' },
  });
  assert.equal(sweep.status, SweepStatus.queued);
  assert.deepEqual(sweep.tags, ['a', 'b']);
  assert.ok(sweep.updatedAt instanceof Date);

  const run = await prisma.run.create({ data: { id: 'run-1', sweepId: sweep.id, strength: 1e-9, threshold: 0.01, seed: 7, totalSteps: 100 } });
  assert.equal(run.status, RunStatus.pending);
  assert.equal(run.attempt, 0);
  await assert.rejects(
    prisma.run.create({ data: { id: 'run-dup', sweepId: sweep.id, strength: 1e-9, threshold: 0.01, seed: 7, totalSteps: 100 } }),
    (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002',
    'one run per (sweep, strength, threshold, seed)',
  );

  const points = [0, 10, 20].map((step) => ({ runId: run.id, step, taskLoss: 2 - step / 100, regLoss: 0.5, cost: 1e9 - step }));
  assert.equal((await prisma.curvePoint.createMany({ data: points })).count, 3);
  // A resumed run re-sends points it already wrote: they are skipped, not duplicated.
  assert.equal((await prisma.curvePoint.createMany({ data: [...points, { runId: run.id, step: 30, taskLoss: 1.6, regLoss: 0.4, cost: 9e8 }], skipDuplicates: true })).count, 1);
  assert.deepEqual((await prisma.curvePoint.findMany({ where: { runId: run.id }, orderBy: { step: 'asc' } })).map((point) => point.step), [0, 10, 20, 30]);

  const weights = Uint8Array.from([0, 1, 2, 253, 254, 255]);
  await prisma.checkpoint.upsert({
    where: { runId: run.id },
    create: { runId: run.id, step: 20, weights, optimizerState: Uint8Array.from([9]), rngState: { seed: 7, draws: 3 } },
    update: {},
  });
  const checkpoint = await prisma.checkpoint.findUniqueOrThrow({ where: { runId: run.id } });
  assert.deepEqual(Array.from(checkpoint.weights), Array.from(weights));
  assert.deepEqual(checkpoint.rngState, { seed: 7, draws: 3 });

  const finished = await prisma.run.update({
    where: { id: run.id },
    data: { status: RunStatus.completed, costFlops: 5e8, valAccuracy: 0.81, structure: { layers: { conv1: 12 } }, finishedAt: new Date() },
  });
  assert.ok(finished.updatedAt.getTime() >= run.updatedAt.getTime());
  await prisma.retrain.create({ data: { id: 'retrain-1', runId: run.id, costAxis: 'flops', widthMultiplier: 1.5, totalSteps: 50 } });
  await prisma.apiToken.create({ data: { id: 'token-1', name: 'notebook', tokenHash: 'a'.repeat(64) } });
  await assert.rejects(prisma.apiToken.create({ data: { id: 'token-2', name: 'again', tokenHash: 'a'.repeat(64) } }), /Unique constraint/);

  const loaded = await prisma.sweep.findUniqueOrThrow({ where: { idempotencyKey: 'key-1' }, include: { runs: { include: { curve: true, checkpoint: true, retrains: true } } } });
  assert.equal(loaded.runs[0].curve.length, 4);
  assert.equal(loaded.runs[0].checkpoint?.step, 20);
  assert.equal(loaded.runs[0].retrains[0].widthMultiplier, 1.5);
  assert.deepEqual(loaded.runs[0].structure, { layers: { conv1: 12 } });

  await prisma.sweep.delete({ where: { id: sweep.id } });
  const remaining = await Promise.all([prisma.run.count(), prisma.curvePoint.count(), prisma.checkpoint.count(), prisma.retrain.count(), prisma.apiToken.count()]);
  assert.deepEqual(remaining, [0, 0, 0, 0, 1]);
});

test('interactive transactions commit together or not at all', async () => {
  const { prisma } = database;
  await assert.rejects(
    prisma.$transaction(async (tx) => {
      await tx.sweep.create({ data: { id: 'sweep-tx', name: 'tx', config: {}, costAxis: 'flops' } });
      throw new Error('abort');
    }),
    /abort/,
  );
  assert.equal(await prisma.sweep.count({ where: { id: 'sweep-tx' } }), 0);
});

test('a late attempt never reopens a run or retrain that an earlier attempt completed', async () => {
  const { prisma } = database;
  const sweep = await prisma.sweep.create({ data: { id: 'sweep-late', name: 'late', config: {}, costAxis: 'flops' } });
  await prisma.run.create({ data: { id: 'run-late', sweepId: sweep.id, strength: 1e-9, threshold: 0.01, seed: 0, totalSteps: 8 } });
  const start = (attempt: number) => markRunStarted(prisma, 'run-late', { attempt, workerIdentity: `w:${attempt}`, totalSteps: 8 });
  assert.equal(await start(1), true);
  const result = { costFlops: 1e6, costModelSize: 1e3, costLatencyNs: 10, valAccuracy: 0.8, testAccuracy: 0.79, resumedFromStep: 0 };
  assert.equal(await completeRun(prisma, 'run-late', 1, { ...result, step: 8, structure: { layers: [] } }), true);
  // Attempt 2 was started when attempt 1's heartbeat timed out, and reaches the database last.
  assert.equal(await start(2), false);
  const run = await prisma.run.findUniqueOrThrow({ where: { id: 'run-late' } });
  assert.deepEqual([run.status, run.attempt, run.valAccuracy], ['completed', 1, 0.8]);

  await prisma.retrain.create({ data: { id: 'retrain-late', runId: 'run-late', costAxis: 'flops', totalSteps: 8, status: 'completed' } });
  assert.equal(await markRetrainRunning(prisma, 'retrain-late', 2, 8), false);
  assert.equal((await prisma.retrain.findUniqueOrThrow({ where: { id: 'retrain-late' } })).status, 'completed');
});

test('writes of a stale attempt are refused in the database once a newer attempt owns the run or retrain', async () => {
  const { prisma } = database;
  const sweep = await prisma.sweep.create({ data: { id: 'sweep-fenced', name: 'fenced', config: {}, costAxis: 'flops' } });
  await prisma.run.create({ data: { id: 'run-fenced', sweepId: sweep.id, strength: 1e-9, threshold: 0.01, seed: 0, totalSteps: 8 } });
  const start = (attempt: number) => markRunStarted(prisma, 'run-fenced', { attempt, workerIdentity: `w:${attempt}`, totalSteps: 8 });
  const checkpoint = (step: number) => ({ step, weights: new Uint8Array([step]), optimizerState: new Uint8Array([step, step]), rngState: { seed: 0 } });
  const point = (step: number) => ({ step, taskLoss: step, regLoss: 0, cost: 1, valAccuracy: null });
  const isStale = (error: unknown) => error instanceof StaleAttemptError;

  assert.equal(await start(1), true);
  await appendCurvePoints(prisma, 'run-fenced', 1, [point(1), point(2)]);
  await saveCheckpoint(prisma, { runId: 'run-fenced' }, 1, checkpoint(2));
  assert.equal(await start(2), true);
  // Attempt 1 keeps going: every one of its writes is refused, nothing of it lands.
  await assert.rejects(appendCurvePoints(prisma, 'run-fenced', 1, [point(3)]), isStale);
  await assert.rejects(saveCheckpoint(prisma, { runId: 'run-fenced' }, 1, checkpoint(4)), isStale);
  await assert.rejects(completeRun(prisma, 'run-fenced', 1, { costFlops: 1, costModelSize: 1, costLatencyNs: 1, valAccuracy: 0.1, testAccuracy: 0.1, step: 8, structure: {} }), isStale);
  await assert.rejects(failRunAttempt(prisma, 'run-fenced', 1, 'stale failure'), isStale);
  // An attempt that was slow to start cannot take the run back from a newer one.
  await assert.rejects(start(1), isStale);
  let run = await prisma.run.findUniqueOrThrow({ where: { id: 'run-fenced' } });
  assert.deepEqual([run.status, run.attempt, run.step, run.workerIdentity], ['running', 2, 2, 'w:2']);
  assert.deepEqual((await loadCheckpoint(prisma, { runId: 'run-fenced' }))!.step, 2);

  await dropCurveAfter(prisma, 'run-fenced', 2, 1);
  await appendCurvePoints(prisma, 'run-fenced', 2, [point(2), point(3)]);
  await saveCheckpoint(prisma, { runId: 'run-fenced' }, 2, checkpoint(3));
  const curve = await prisma.curvePoint.findMany({ where: { runId: 'run-fenced' }, orderBy: { step: 'asc' } });
  assert.deepEqual(curve.map((p) => [p.step, p.attempt]), [[1, 1], [2, 2], [3, 2]]);
  assert.equal((await prisma.checkpoint.findUniqueOrThrow({ where: { runId: 'run-fenced' } })).attempt, 2);
  assert.equal(await completeRun(prisma, 'run-fenced', 2, { costFlops: 2, costModelSize: 2, costLatencyNs: 2, valAccuracy: 0.2, testAccuracy: 0.2, step: 8, structure: {} }), true);
  run = await prisma.run.findUniqueOrThrow({ where: { id: 'run-fenced' } });
  assert.deepEqual([run.status, run.attempt, run.valAccuracy], ['completed', 2, 0.2]);

  await prisma.retrain.create({ data: { id: 'retrain-fenced', runId: 'run-fenced', costAxis: 'flops', totalSteps: 8 } });
  assert.equal(await markRetrainRunning(prisma, 'retrain-fenced', 1, 8), true);
  assert.equal(await markRetrainRunning(prisma, 'retrain-fenced', 2, 8), true);
  await assert.rejects(recordRetrainStep(prisma, 'retrain-fenced', 1, 5), isStale);
  await assert.rejects(saveCheckpoint(prisma, { retrainId: 'retrain-fenced' }, 1, checkpoint(5)), isStale);
  await assert.rejects(markRetrainRunning(prisma, 'retrain-fenced', 1, 8), isStale);
  await saveCheckpoint(prisma, { retrainId: 'retrain-fenced' }, 2, checkpoint(4));
  const retrain = await prisma.retrain.findUniqueOrThrow({ where: { id: 'retrain-fenced' } });
  assert.deepEqual([retrain.attempt, retrain.step], [2, 4]);
  // Timestamps written by the fenced SQL read back like Prisma's own (UTC).
  assert.ok(Math.abs(retrain.updatedAt.getTime() - Date.now()) < 60_000, `updatedAt ${retrain.updatedAt.toISOString()}`);
});
