import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import * as tf from '@tensorflow/tfjs';
import { buildSweepNetwork, loadSweepDataset } from '../../activities/networks.ts';
import { gatesOf } from '../../src/morphnet/index.ts';
import { engineLabel, initEngine } from '../../src/engine/index.ts';
import { InvalidSweepConfigError, parseSweepConfig } from '../../src/sweep/config.ts';
import { findNoiseSeededLayers, seedNoiseForStep } from '../../src/train/noise-seed.ts';
import { paretoFront } from '../../src/sweep/pareto.ts';
import { failStrandedStarts, querySweepProgress, startRetrain, startSweep, waitForRetrain, waitForSweep, WorkflowNotStartedError } from '../../src/temporal/sweeps.ts';
import { testTemporal } from '../support/temporal.ts';
import { tinySweepConfig, useSweepTestEnvironment, waitUntil } from './sweep-harness.ts';

const env = useSweepTestEnvironment('sweep-e2e');

test('a sweep runs every grid point once and stores costs, accuracies, structures and curves', async () => {
  const deps = env.deps();
  const config = tinySweepConfig({ thresholds: [0.001, 0.01], strengths: { grid: { decades: 0.5, perDecade: 2 } } });
  const { sweepId, created } = await startSweep(deps, config);
  assert.equal(created, true);
  const result = await waitForSweep(deps, sweepId);
  assert.equal(result.status, 'completed');
  assert.deepEqual(result.counts, { pending: 0, running: 0, completed: 6, failed: 0, cancelled: 0 });

  const sweep = await env.database.prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } });
  assert.equal(sweep.status, 'completed');
  const seedCost = sweep.seedCost as { flops: number; modelSize: number; latencyNs: number };
  for (const axis of ['flops', 'modelSize', 'latencyNs'] as const) assert.ok(seedCost[axis] > 0, `seed ${axis}`);
  // The front's reference: the unpruned seed trained once on the same recipe, measured on validation.
  assert.ok(sweep.seedAccuracy !== null && sweep.seedAccuracy >= 0 && sweep.seedAccuracy <= 1, `seed accuracy ${sweep.seedAccuracy}`);

  const runs = await env.database.prisma.run.findMany({ where: { sweepId }, orderBy: { strength: 'asc' } });
  assert.equal(runs.length, 6);
  // Grid centred on 1/initial FLOPs, half a decade each side, two points per decade.
  const strengths = [...new Set(runs.map((run) => run.strength))].sort((a, b) => a - b);
  assert.equal(strengths.length, 3);
  [10 ** -0.5, 1, 10 ** 0.5].forEach((factor, i) => assert.ok(Math.abs((strengths[i]! * seedCost.flops) / factor - 1) < 1e-9, `strength ${i} = ${factor}/cost`));
  // The in-process worker's engine: auto, one thread (tfjs-node where setup built it, else wasm).
  const engine = engineLabel(await initEngine());
  assert.match(engine, /^(tfjs-node|wasm) \(tfjs 4\.22\.0.*, 1 thread\)$/);
  for (const run of runs) {
    assert.equal(run.status, 'completed', `${run.id}: ${run.error}`);
    assert.equal(run.step, 8);
    for (const value of [run.costFlops, run.costModelSize, run.costLatencyNs]) assert.ok(value !== null && value > 0 && value <= Math.max(seedCost.flops, seedCost.modelSize, seedCost.latencyNs));
    assert.ok(run.costFlops! <= seedCost.flops, 'a learned structure is never bigger than the seed');
    assert.ok(run.valAccuracy! >= 0 && run.valAccuracy! <= 1);
    assert.ok(run.testAccuracy! >= 0 && run.testAccuracy! <= 1);
    assert.ok(run.structure !== null);
    const narrowest = run.narrowestCost as { flops: number } | null;
    assert.ok(narrowest !== null && narrowest.flops > 0 && narrowest.flops <= run.costFlops!, `narrowest rebuild ${JSON.stringify(narrowest)}`);
    assert.equal(run.engine, engine, 'each run stores the engine that trained it');
    const curve = await env.database.prisma.curvePoint.findMany({ where: { runId: run.id }, orderBy: { step: 'asc' } });
    assert.deepEqual(curve.map((point) => point.step), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(curve.filter((point) => point.valAccuracy !== null).map((point) => point.step), [4, 8]);
  }
  assert.equal(await env.database.prisma.checkpoint.count(), 0, 'finished runs leave no checkpoints behind');

  const progress = await querySweepProgress(deps, sweepId);
  assert.ok(progress);
  assert.equal(progress.state, 'completed');
  assert.equal(progress.totalRuns, 6);
  assert.deepEqual(new Set(progress.runs.map((run) => run.runId)), new Set(runs.map((run) => run.id)));
  assert.ok(progress.runs.every((run) => run.state === 'completed' && run.result !== undefined));

  // Retrain the cheapest front point at half its cost: the multiplier shrinks it under the target.
  const { front } = paretoFront(runs, { cost: 'flops' });
  const chosen = front[0]!;
  // A target below the narrowest rebuild is refused before any retrain exists.
  const retrainsBefore = await env.database.prisma.retrain.count();
  await assert.rejects(startRetrain(deps, chosen.id, { targetCost: 1 }), /a target of 1 FLOPs cannot be met: even the narrowest rebuild .* costs [\d,]+ FLOPs/);
  assert.equal(await env.database.prisma.retrain.count(), retrainsBefore);
  const targetCost = chosen.costFlops! / 2;
  const { retrainId } = await startRetrain(deps, chosen.id, { targetCost });
  const retrained = await waitForRetrain(deps, retrainId);
  assert.ok(retrained.widthMultiplier > 0 && retrained.widthMultiplier < 1, `multiplier ${retrained.widthMultiplier}`);
  assert.ok(retrained.costFlops <= targetCost, `${retrained.costFlops} <= ${targetCost}`);
  const retrainRow = await env.database.prisma.retrain.findUniqueOrThrow({ where: { id: retrainId } });
  assert.equal(retrainRow.status, 'completed');
  assert.equal(retrainRow.costFlops, retrained.costFlops);
  assert.equal(retrainRow.testAccuracy, retrained.testAccuracy);
  assert.equal(retrainRow.engine, engine);
});

test('the same config sweeps to the same points: every run reproduces bit for bit, FiGS gate noise included', async () => {
  const deps = env.deps();
  const config = (name: string) =>
    tinySweepConfig({
      name,
      // Noisy, so accuracies stay short of 100% and differ between networks.
      dataset: 'synthetic:classes=3,size=8,channels=1,train=96,test=120,seed=1,noise=0.45',
      regularizer: { algorithm: 'logistic-sigmoid', cost: 'flops' },
      thresholds: [0.1],
      strengths: { values: [1e-6, 1e-4] },
      seeds: [0, 1],
    });
  const outcomes = [];
  for (const name of ['first', 'second']) {
    const { sweepId } = await startSweep(deps, config(name));
    assert.equal((await waitForSweep(deps, sweepId)).status, 'completed');
    const runs = await env.database.prisma.run.findMany({
      where: { sweepId },
      orderBy: [{ strength: 'asc' }, { seed: 'asc' }],
      include: { curve: { orderBy: { step: 'asc' }, select: { taskLoss: true, regLoss: true, cost: true } } },
    });
    outcomes.push(
      runs.map(({ strength, seed, costFlops, valAccuracy, testAccuracy, structure, curve }) => ({ strength, seed, costFlops, valAccuracy, testAccuracy, structure, curve })),
    );
  }
  assert.equal(outcomes[0]!.length, 4);
  assert.deepEqual(outcomes[1], outcomes[0]);
  // The seeds differ in earnest: otherwise the comparison above would prove little.
  assert.notDeepEqual(outcomes[0]![0]!.curve, outcomes[0]![1]!.curve);

  // And the gate noise that reproduced is real: the runs' network, seeded for step 1 as the training
  // loop seeds it, samples channels off whose gates (all at log-odds 2.5, P(on) = 0.92) say on,
  // and samples differently at step 2. Without noise every channel would be on at every step.
  const parsed = parseSweepConfig(config('noise'));
  const { model: network } = await buildSweepNetwork(env.database.prisma, parsed, await loadSweepDataset(parsed), 0);
  try {
    const noiseLayers = findNoiseSeededLayers(network);
    const gates = gatesOf(network);
    assert.ok(gates.length > 0 && noiseLayers.length === gates.length);
    const maskAtStep = (step: number) => {
      seedNoiseForStep(noiseLayers, 0, step);
      return gates.flatMap((gate) => tf.tidy(() => Array.from(gate.sampleMask().dataSync())));
    };
    const first = maskAtStep(1);
    const channelsOff = first.filter((value) => value < 0.5).length;
    assert.ok(channelsOff > 0 && channelsOff < first.length / 2, `${channelsOff} of ${first.length} channels sampled off at step 1`);
    assert.notDeepEqual(maskAtStep(2), first);
    assert.deepEqual(maskAtStep(1), first, 'the same step draws the same noise again');
  } finally {
    network.dispose();
  }
});

/** A client whose connection is gone: Temporal cannot be reached when the request comes. */
async function unreachableTemporal(): Promise<Client> {
  const { address, namespace } = testTemporal();
  const closed = await Connection.connect({ address });
  await closed.close();
  return new Client({ connection: closed, namespace });
}

test('a sweep whose workflow cannot be started is marked failed with the reason; a retry with its key starts it', async () => {
  const deps = env.deps();
  const config = tinySweepConfig({ name: 'sweep start failure', thresholds: [0.01], strengths: { values: [1e-7] } });
  const offline = { ...deps, client: await unreachableTemporal() };
  await assert.rejects(startSweep(offline, config), WorkflowNotStartedError);
  await assert.rejects(startSweep(offline, config, { idempotencyKey: 'start-after-outage' }), WorkflowNotStartedError);
  const stranded = await env.database.prisma.sweep.findMany({ where: { name: 'sweep start failure' } });
  assert.equal(stranded.length, 2);
  for (const sweep of stranded) {
    assert.equal(sweep.status, 'failed', 'nothing stays queued');
    assert.match(sweep.error ?? '', /^the sweep could not be started: .*retry the request \(with the same Idempotency-Key\)/);
  }
  const retried = await startSweep(deps, config, { idempotencyKey: 'start-after-outage' });
  assert.equal(retried.created, false);
  assert.equal(retried.sweepId, stranded.find((sweep) => sweep.idempotencyKey === 'start-after-outage')!.id);
  assert.equal((await waitForSweep(deps, retried.sweepId)).status, 'completed');
  const sweep = await env.database.prisma.sweep.findUniqueOrThrow({ where: { id: retried.sweepId } });
  assert.deepEqual([sweep.status, sweep.error], ['completed', null]);
  // A retry after it ran starts nothing again.
  assert.deepEqual(await startSweep(deps, config, { idempotencyKey: 'start-after-outage' }), { sweepId: retried.sweepId, created: false });
});

test('a retrain whose workflow cannot be started is marked failed, not left pending; a retry with its key starts it', async () => {
  const deps = env.deps();
  const { sweepId } = await startSweep(deps, tinySweepConfig({ name: 'retrain start failure', thresholds: [0.01], strengths: { values: [1e-7] } }));
  assert.equal((await waitForSweep(deps, sweepId)).status, 'completed');
  const run = await env.database.prisma.run.findFirstOrThrow({ where: { sweepId } });
  const offline = { ...deps, client: await unreachableTemporal() };
  await assert.rejects(startRetrain(offline, run.id), WorkflowNotStartedError);
  await assert.rejects(startRetrain(offline, run.id, {}, { idempotencyKey: 'retrain-after-outage' }), WorkflowNotStartedError);
  const retrains = await env.database.prisma.retrain.findMany({ where: { runId: run.id } });
  assert.equal(retrains.length, 2);
  for (const retrain of retrains) {
    assert.equal(retrain.status, 'failed');
    assert.match(retrain.error ?? '', /^the retrain could not be started: /);
  }
  const retried = await startRetrain(deps, run.id, {}, { idempotencyKey: 'retrain-after-outage' });
  assert.equal(retried.created, false);
  const result = await waitForRetrain(deps, retried.retrainId);
  assert.equal(result.retrainId, retried.retrainId);
  const stored = await env.database.prisma.retrain.findUniqueOrThrow({ where: { id: retried.retrainId } });
  assert.deepEqual([stored.status, stored.error, stored.attempt], ['completed', null, 1]);
  assert.equal(await env.database.prisma.retrain.count({ where: { runId: run.id } }), 2, 'the retry trained the stranded retrain, no new one');
});

test('rows whose request died before starting their workflow are swept up as failed; rows with a workflow are left alone', async () => {
  const deps = env.deps();
  const { prisma } = env.database;
  const longAgo = new Date(Date.now() - 10 * 60_000);
  // A request that wrote its row and died: no workflow exists for either.
  const strandedSweep = await prisma.sweep.create({ data: { id: 'sw-stranded', name: 'stranded', config: {}, costAxis: 'flops', createdAt: longAgo } });
  // A sweep whose workflow was started but waits for a worker (nothing polls its queue).
  const waiting = await startSweep({ ...deps, taskQueue: 'nobody-polls-this-queue' }, tinySweepConfig({ name: 'waiting for a worker' }));
  await prisma.sweep.update({ where: { id: waiting.sweepId }, data: { createdAt: longAgo } });
  const { sweepId } = await startSweep(deps, tinySweepConfig({ name: 'stranded retrain', thresholds: [0.01], strengths: { values: [1e-7] } }));
  assert.equal((await waitForSweep(deps, sweepId)).status, 'completed');
  const run = await prisma.run.findFirstOrThrow({ where: { sweepId } });
  await prisma.retrain.create({ data: { id: 'rt-stranded', runId: run.id, costAxis: 'flops', totalSteps: 8, createdAt: longAgo } });
  const recent = await prisma.sweep.create({ data: { id: 'sw-just-written', name: 'just written', config: {}, costAxis: 'flops' } });
  try {
    assert.deepEqual((await failStrandedStarts(deps)).sort(), ['rt-stranded', strandedSweep.id]);
    const swept = await prisma.sweep.findUniqueOrThrow({ where: { id: strandedSweep.id } });
    assert.equal(swept.status, 'failed');
    assert.match(swept.error ?? '', /workflow was never started.*same Idempotency-Key/);
    assert.equal((await prisma.retrain.findUniqueOrThrow({ where: { id: 'rt-stranded' } })).status, 'failed');
    assert.equal((await prisma.sweep.findUniqueOrThrow({ where: { id: waiting.sweepId } })).status, 'queued', 'its workflow exists');
    assert.equal((await prisma.sweep.findUniqueOrThrow({ where: { id: recent.id } })).status, 'queued', 'its request may still be starting it');
  } finally {
    await env.client.workflow.getHandle(waiting.sweepId).terminate('test finished');
  }
});

test('a retrain cancelled through Temporal is recorded as cancelled and keeps no checkpoint', async () => {
  const deps = env.deps();
  const { prisma } = env.database;
  const { sweepId } = await startSweep(deps, tinySweepConfig({ name: 'retrain cancel', thresholds: [0.01], strengths: { values: [1e-7] } }));
  assert.equal((await waitForSweep(deps, sweepId)).status, 'completed');
  const run = await prisma.run.findFirstOrThrow({ where: { sweepId } });
  // A retrain follows its sweep's recipe: a long one, so that the cancel lands mid-run.
  const steps = 2000;
  const stored = (await prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } })).config as { training: object };
  const training = { ...stored.training, steps, evalEvery: 500, checkpointEvery: 5 };
  await prisma.sweep.update({ where: { id: sweepId }, data: { config: { ...stored, training } } });
  const { retrainId } = await startRetrain(deps, run.id);
  await waitUntil('the retrain past its first checkpoint', async () => ((await prisma.retrainCheckpoint.findUnique({ where: { retrainId } })) ? true : undefined));
  await env.client.workflow.getHandle(retrainId).cancel();
  await assert.rejects(waitForRetrain(deps, retrainId));
  const retrain = await waitUntil('the retrain row to settle', async () => {
    const row = await prisma.retrain.findUniqueOrThrow({ where: { id: retrainId } });
    return row.status === 'running' || row.status === 'pending' ? undefined : row;
  });
  assert.equal(retrain.status, 'cancelled');
  assert.ok(retrain.step < steps, `stopped early, at step ${retrain.step}`);
  assert.equal(await prisma.retrainCheckpoint.count({ where: { retrainId } }), 0);
});

test('re-submitting with the same idempotency key starts nothing twice', async () => {
  const deps = env.deps();
  const config = tinySweepConfig({ name: 'idempotent', thresholds: [0.01], strengths: { values: [1e-6] } });
  const [first, second] = await Promise.all([
    startSweep(deps, config, { idempotencyKey: 'same-request' }),
    startSweep(deps, config, { idempotencyKey: 'same-request' }),
  ]);
  assert.equal(first.sweepId, second.sweepId);
  assert.deepEqual([first.created, second.created].sort(), [false, true]);
  await waitForSweep(deps, first.sweepId);
  const again = await startSweep(deps, config, { idempotencyKey: 'same-request' });
  assert.deepEqual(again, { sweepId: first.sweepId, created: false });

  assert.equal(await env.database.prisma.sweep.count({ where: { idempotencyKey: 'same-request' } }), 1);
  assert.equal(await env.database.prisma.run.count({ where: { sweepId: first.sweepId } }), 1);
  // A second execution would be the latest one for this id, and running: the finished one is still the latest.
  assert.equal((await env.client.workflow.getHandle(first.sweepId).describe()).status.name, 'COMPLETED');
  const listed = async () => {
    const executions = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${first.sweepId}'` })) executions.push(execution);
    return executions.length;
  };
  // Visibility trails the server slightly; wait for the one execution to show up, then count.
  await waitUntil('the sweep to be listed', async () => ((await listed()) > 0 ? true : undefined), 10_000);
  assert.equal(await listed(), 1);
  assert.equal((await env.database.prisma.run.findFirstOrThrow({ where: { sweepId: first.sweepId } })).attempt, 1);
});

test('an invalid config is rejected with every problem before anything is written or started', async () => {
  const deps = env.deps();
  const before = await env.database.prisma.sweep.count();
  await assert.rejects(
    startSweep(deps, { ...tinySweepConfig(), thresholds: [], training: { steps: 0 }, network: { name: 'vgg' } } as never),
    (error: unknown) => {
      assert.ok(error instanceof InvalidSweepConfigError);
      assert.deepEqual(error.problems.map((p) => p.path).sort(), ['network.name', 'thresholds', 'training.steps']);
      return true;
    },
  );
  assert.equal(await env.database.prisma.sweep.count(), before);
});

test('a grid past runsPerExecution continues as new and still runs every point once', async () => {
  const deps = { ...env.deps(), orchestration: { runsPerExecution: 2 } };
  const config = tinySweepConfig({ name: 'continue-as-new', thresholds: [0.01], strengths: { values: [1e-9, 2e-9, 3e-9, 4e-9, 5e-9] }, training: { steps: 2, batchSize: 16, evalEvery: 2, checkpointEvery: 2 } });
  const { sweepId } = await startSweep(deps, config);
  const result = await waitForSweep(deps, sweepId);
  assert.equal(result.status, 'completed');
  assert.deepEqual(result.counts, { pending: 0, running: 0, completed: 5, failed: 0, cancelled: 0 });
  assert.equal(await env.database.prisma.run.count({ where: { sweepId, status: 'completed' } }), 5);
  const executions = async () => {
    let count = 0;
    for await (const _execution of env.client.workflow.list({ query: `WorkflowId = '${sweepId}'` })) count += 1;
    return count;
  };
  // 2 + 2 + 1 points: three executions of one workflow id.
  await waitUntil('three executions to be listed', async () => ((await executions()) === 3 ? true : undefined), 10_000);
  assert.equal((await env.database.prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } })).status, 'completed');
});
