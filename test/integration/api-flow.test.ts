import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMorphSweepClient, MorphSweepApiError, type MorphSweepClient, type SweepStreamEvent } from '../../src/client/index.ts';
import { createApiToken } from '../../src/db/repositories/tokens.ts';
import type { TestDatabase } from '../support/database.ts';
import type { RunningWebApp } from '../support/web-app.ts';
import { startAppWithWorker, type AppWithWorker } from './sweep-harness.ts';
import { validSweepConfig } from './api-fixtures.ts';

/**
 * The whole loop a notebook runs, through the typed client against the built app, with a real worker
 * training a tiny network: launch, stream progress, read the front, download the structure, retrain,
 * and cancel a second sweep mid-run.
 */

let db: TestDatabase;
let app: RunningWebApp;
let services: AppWithWorker;
let client: MorphSweepClient;

before(async () => {
  services = await startAppWithWorker('api-flow', { env: { MORPHSWEEP_SSE_POLL_MS: '200' } });
  ({ database: db, app } = services);
  client = createMorphSweepClient({ baseUrl: app.url, token: (await createApiToken(db.prisma, 'flow')).secret });
});

after(async () => {
  await services?.stop();
});

test('launch, stream progress, read the front and the structure, retrain', async () => {
  const { sweepId, created } = await client.createSweep(validSweepConfig({ name: 'flow sweep', thresholds: [0.01] }), { idempotencyKey: `flow-${Date.now()}` });
  assert.equal(created, true);

  const events: SweepStreamEvent[] = [];
  for await (const event of client.sweepEvents(sweepId, { signal: AbortSignal.timeout(180_000) })) events.push(event);
  const end = events.at(-1)!;
  assert.equal(end.event, 'end');
  assert.equal(end.event === 'end' && end.data.status, 'completed', JSON.stringify(end.data));
  const progress = events.filter((e) => e.event === 'progress').map((e) => e.data as { runs: { completed: number; total: number } });
  assert.ok(progress.length >= 2, 'progress changed while the sweep ran');
  assert.equal(progress.at(-1)!.runs.completed, 2);
  const runEvents = events.filter((e) => e.event === 'run').map((e) => e.data as { runId: string; status: string; step: number });
  const finalByRun = new Map(runEvents.map((e) => [e.runId, e]));
  assert.equal(finalByRun.size, 2, 'an event for every run');
  for (const run of finalByRun.values()) assert.deepEqual([run.status, run.step], ['completed', 8]);

  const sweep = await client.getSweep(sweepId);
  assert.equal(sweep.status, 'completed');
  assert.equal(sweep.runs.completed, 2);
  assert.ok(sweep.best, 'best point named');

  const front = await client.getFront(sweepId, { cost: 'flops' });
  assert.equal(front.pareto.length + front.dominated.length, 2);
  assert.ok(front.pareto.length >= 1);
  assert.ok(front.seedNetwork && front.seedNetwork.cost > 0, 'seed network point present');
  for (const point of front.pareto) assert.ok(point.cost <= front.seedNetwork!.cost, 'no learned structure costs more than the seed');

  const chosen = front.pareto[0];
  const run = await client.getRun(chosen.runId);
  assert.equal(run.status, 'completed');
  assert.ok(run.curve.length >= 2, 'curve points stored');
  assert.ok(run.layers && run.layers.length > 0);
  for (const layer of run.layers!) assert.ok(layer.alive <= layer.seed, `${layer.name}: alive ${layer.alive} <= seed ${layer.seed}`);
  const flat = await client.getStructure(chosen.runId, { format: 'morphnet' });
  assert.deepEqual(flat, Object.fromEntries(run.layers!.map((l) => [l.name, l.alive])));

  const { retrainId } = await client.retrain(chosen.runId, { widthMultiplier: 1.5 });
  const retrain = await client.waitForRetrain(retrainId, { pollMs: 300, timeoutMs: 180_000 });
  assert.equal(retrain.status, 'completed', retrain.error ?? '');
  assert.equal(retrain.widthMultiplier, 1.5);
  assert.ok(retrain.valAccuracy !== null && retrain.costs.flops !== null);
  const frontAfter = await client.getFront(sweepId, { cost: 'flops' });
  assert.deepEqual(frontAfter.retrained.map((p) => p.retrainId), [retrainId], 'the retrained point appears on the front');
  assert.ok((await client.getRun(chosen.runId)).retrains.some((r) => r.id === retrainId));

  // Evidence: 2 seeds of the structure beside 2 of the uniform seed at the same cost.
  await assert.rejects(client.startEvidence(chosen.runId, { seeds: 1 }), (error: unknown) => error instanceof MorphSweepApiError && error.status === 422);
  const { evidenceId } = await client.startEvidence(chosen.runId, { seeds: 2 });
  const evidence = await client.waitForEvidence(evidenceId, { pollMs: 300, timeoutMs: 180_000 });
  assert.equal(evidence.status, 'completed', evidence.error ?? '');
  assert.deepEqual(evidence.arms.map((arm) => `${arm.arm}/${arm.seed}`).sort(), ['structure/1', 'structure/2', 'uniform/1', 'uniform/2']);
  const [comparison] = evidence.summary!.comparisons;
  assert.ok(comparison.interval.low <= comparison.interval.difference && comparison.interval.difference <= comparison.interval.high);
  assert.deepEqual((await client.listSweepEvidence(sweepId)).evidence.map((e) => e.id), [evidenceId]);
  const frontWithEvidence = await client.getFront(sweepId, { cost: 'flops' });
  assert.deepEqual(frontWithEvidence.retrained.map((p) => p.retrainId), [retrainId], 'evidence arms are not retrained points');
});

test('cancel stops a running sweep; cancelling again is a 409', async () => {
  const { sweepId } = await client.createSweep(
    // Long enough that no run can finish before the cancel reaches it with a heartbeat's answer.
    validSweepConfig({ name: 'cancel me', thresholds: [0.01], training: { steps: 5000, batchSize: 16, learningRate: 0.05, evalEvery: 50, checkpointEvery: 50 } }),
  );
  const deadline = Date.now() + 120_000;
  while ((await client.getSweep(sweepId)).runs.running === 0) {
    assert.ok(Date.now() < deadline, 'a run started');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const answer = await client.cancelSweep(sweepId);
  assert.equal(answer.sweepId, sweepId);
  const finished = await client.waitForSweep(sweepId, { pollMs: 300, timeoutMs: 120_000 });
  assert.equal(finished.status, 'cancelled');
  assert.equal(finished.runs.completed, 0, 'nothing ran to its 5000th step');
  await assert.rejects(client.cancelSweep(sweepId), (error: unknown) => error instanceof MorphSweepApiError && error.status === 409 && error.code === 'sweep_finished');
});
