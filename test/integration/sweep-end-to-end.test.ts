import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { engineLabel, initEngine } from '../../src/engine/index.ts';
import { InvalidSweepConfigError } from '../../src/sweep/config.ts';
import { paretoFront } from '../../src/sweep/pareto.ts';
import { querySweepProgress, startRetrain, startSweep, waitForRetrain, waitForSweep } from '../../src/temporal/sweeps.ts';
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
});

test('a retrain whose workflow cannot be started is marked failed, not left pending', async () => {
  const deps = env.deps();
  const { sweepId } = await startSweep(deps, tinySweepConfig({ name: 'retrain start failure', thresholds: [0.01], strengths: { values: [1e-7] } }));
  assert.equal((await waitForSweep(deps, sweepId)).status, 'completed');
  const run = await env.database.prisma.run.findFirstOrThrow({ where: { sweepId } });
  // A client whose connection is gone: Temporal cannot be reached when the retrain is requested.
  const { address, namespace } = testTemporal();
  const closed = await Connection.connect({ address });
  await closed.close();
  await assert.rejects(startRetrain({ ...deps, client: new Client({ connection: closed, namespace }) }, run.id));
  const retrains = await env.database.prisma.retrain.findMany({ where: { runId: run.id } });
  assert.equal(retrains.length, 1);
  assert.equal(retrains[0]!.status, 'failed');
  assert.match(retrains[0]!.error ?? '', /^the retrain could not be started: /);
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
