import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cancelSweep, querySweepProgress, startSweep, waitForSweep } from '../../src/temporal/sweeps.ts';
import { tinySweepConfig, useSweepTestEnvironment, waitUntil } from './sweep-harness.ts';

const env = useSweepTestEnvironment('sweep-failures');

test('runs that cannot succeed (non-finite loss, vanished structure) fail alone with their reason; the sweep goes on', async () => {
  const deps = env.deps();
  // 1e38 x the FLOPs term overflows float32: the first step's loss is Infinity. 1e-3 is ~100x
  // 1/cost: it drives every batch-norm scale under 0.5, so no channel survives.
  const config = tinySweepConfig({ name: 'nan', thresholds: [0.5], strengths: { values: [1e-9, 1e-3, 1e38] } });
  const { sweepId } = await startSweep(deps, config);
  const result = await waitForSweep(deps, sweepId);
  assert.equal(result.status, 'completed');
  assert.deepEqual(result.counts, { pending: 0, running: 0, completed: 1, failed: 2, cancelled: 0 });

  const runs = await env.database.prisma.run.findMany({ where: { sweepId }, orderBy: { strength: 'asc' } });
  assert.deepEqual(runs.map((run) => run.status), ['completed', 'failed', 'failed']);
  assert.match(runs[1]!.error ?? '', /vanished/);
  assert.equal(runs[1]!.attempt, 1, 'an impossible structure is not retried');
  const failed = runs[2]!;
  assert.match(failed.error ?? '', /non-finite at step 1/);
  assert.equal(failed.attempt, 1, 'a NaN is not retried: training is deterministic');
  assert.equal(failed.costFlops, null);
  const progress = await querySweepProgress(deps, sweepId);
  assert.match(progress!.runs.find((run) => run.runId === failed.id)!.error ?? '', /non-finite/);
  assert.equal((await env.database.prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } })).status, 'completed');
});

test('a dataset too small for a validation split fails the sweep once, saying what to change', async () => {
  const deps = env.deps();
  // 4 training examples x 0.1 rounds to no validation example.
  const { sweepId } = await startSweep(deps, tinySweepConfig({ name: 'no validation', dataLimit: 4, validationFraction: 0.1 }));
  // A failure before any run started fails the workflow itself, after recording why on the sweep.
  await assert.rejects(waitForSweep(deps, sweepId), /Workflow execution failed/);
  const sweep = await env.database.prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } });
  assert.equal(sweep.status, 'failed');
  assert.match(sweep.error ?? '', /validation split is empty: validationFraction 0.1 of 4 training examples rounds to none; raise validationFraction or dataLimit/);
  assert.equal(await env.database.prisma.run.count({ where: { sweepId } }), 0, 'no run was started');
});

test('cancelling mid-sweep stops running runs, never starts pending ones and keeps finished results', async () => {
  const deps = env.deps();
  // One run at a time: wait for the first to finish and the second to be well under way. Runs are
  // long enough that, even on an idle machine, the second cannot finish before the cancel lands.
  const steps = 600;
  const config = tinySweepConfig({
    name: 'cancel',
    thresholds: [0.01],
    strengths: { values: [1e-7, 2e-7, 3e-7, 4e-7] },
    training: { steps, batchSize: 16, evalEvery: 60, checkpointEvery: 5 },
    concurrency: 1,
  });
  const { sweepId } = await startSweep(deps, config);
  const [firstDone, interrupted] = await waitUntil('one run finished and the next past its first checkpoint', async () => {
    const runs = await env.database.prisma.run.findMany({ where: { sweepId } });
    const done = runs.find((run) => run.status === 'completed');
    const running = runs.find((run) => run.status === 'running' && run.step >= 5 && run.step < steps / 3);
    return done && running ? ([done, running] as const) : undefined;
  }, 180_000);
  const outcome = await cancelSweep(deps, sweepId);
  assert.equal(outcome.outcome, 'cancelling');
  const result = await waitForSweep(deps, sweepId);
  assert.equal(result.status, 'cancelled');
  // The workflow's counts agree with the database: nothing is left pending.
  assert.deepEqual(result.counts, { pending: 0, running: 0, completed: 1, failed: 0, cancelled: 3 });

  const runs = await env.database.prisma.run.findMany({ where: { sweepId } });
  assert.equal(runs.length, 4);
  const byStatus = (status: string) => runs.filter((run) => run.status === status).length;
  assert.equal(byStatus('completed'), 1, JSON.stringify(runs.map((r) => [r.status, r.step, r.error])));
  assert.equal(byStatus('cancelled'), 3);
  const stopped = runs.find((run) => run.id === interrupted.id)!;
  assert.ok(stopped.step < steps, `the interrupted run stopped early (step ${stopped.step})`);
  assert.equal(stopped.costFlops, null);
  assert.equal(runs.filter((run) => run.startedAt === null).length, 2, 'the pending runs never started');
  const kept = runs.find((run) => run.id === firstDone.id)!;
  assert.equal(kept.status, 'completed');
  assert.ok(kept.costFlops !== null && kept.valAccuracy !== null, 'finished results stay');
  const sweep = await env.database.prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } });
  assert.equal(sweep.status, 'cancelled');
  assert.deepEqual(await cancelSweep(deps, sweepId), { sweepId, outcome: 'already-finished' });
});
