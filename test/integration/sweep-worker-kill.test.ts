import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { querySweepProgress, startRetrain, startSweep, waitForRetrain, waitForSweep } from '../../src/temporal/sweeps.ts';
import type { TargetSearchState } from '../../src/sweep/target-search.ts';
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

/** What a run stored, with nothing that names the sweep or the attempt: to compare two runs of one config. */
async function storedOutcomes(sweepId: string) {
  const runs = await database.prisma.run.findMany({
    where: { sweepId },
    orderBy: [{ strength: 'asc' }, { threshold: 'asc' }, { seed: 'asc' }],
    include: { curve: { orderBy: { step: 'asc' }, select: { step: true, taskLoss: true, regLoss: true, cost: true, valAccuracy: true } } },
  });
  return runs.map(({ strength, threshold, seed, status, step, costFlops, costModelSize, costLatencyNs, valAccuracy, testAccuracy, structure, curve }) => ({
    point: [strength, threshold, seed],
    status,
    step,
    costs: [costFlops, costModelSize, costLatencyNs],
    accuracies: [valAccuracy, testAccuracy],
    structure,
    curve,
  }));
}

/**
 * The same config swept again by the worker processes, undisturbed: a resume that changed any bit of
 * the training (weights, optimizer state, data order, FiGS gate noise) shows up as a difference.
 */
async function assertSameAsUninterrupted(deps: ReturnType<typeof sweepDeps>, config: ReturnType<typeof tinySweepConfig>, resumedSweepId: string): Promise<void> {
  const { sweepId } = await startSweep(deps, { ...config, name: `${config.name} (uninterrupted)` });
  assert.equal((await waitForSweep(deps, sweepId)).status, 'completed');
  const uninterrupted = await database.prisma.run.findMany({ where: { sweepId } });
  assert.ok(uninterrupted.every((run) => run.attempt === 1), 'the reference runs were not interrupted');
  assert.deepEqual(await storedOutcomes(resumedSweepId), await storedOutcomes(sweepId));
}

/** Starts workers until two are alive (earlier tests kill some) and both poll. */
async function twoLiveWorkers(): Promise<WorkerProcess[]> {
  const isLive = (worker: WorkerProcess) => worker.child.exitCode === null && worker.child.signalCode === null;
  while (workers.filter(isLive).length < 2) workers.push(startWorkerProcess({ taskQueue, databaseUrl: database.url }));
  const live = workers.filter(isLive);
  await Promise.all(live.map((worker) => worker.ready));
  return live;
}

test('a worker killed mid-run: the run resumes from its checkpoint on the other worker, nothing duplicated', async () => {
  workers.push(startWorkerProcess({ taskQueue, databaseUrl: database.url }), startWorkerProcess({ taskQueue, databaseUrl: database.url }));
  await Promise.all(workers.map((worker) => worker.ready));
  const deps = sweepDeps(database.prisma, temporal.client, taskQueue);
  const steps = 40;
  // FiGS: the resumed run must also draw the gate noise an uninterrupted one draws.
  const config = tinySweepConfig({
    name: 'kill',
    dataset: 'synthetic:classes=3,size=8,channels=1,train=96,test=120,seed=1,noise=0.45',
    regularizer: { algorithm: 'logistic-sigmoid', cost: 'flops' },
    thresholds: [0.1],
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
  await assertSameAsUninterrupted(deps, config, sweepId);
});

test('SIGTERM: the worker checkpoints the step it reached, stops cleanly, and the run resumes there', async () => {
  // Two live workers: one to stop, one to take the run over.
  const live = await twoLiveWorkers();
  const deps = sweepDeps(database.prisma, temporal.client, taskQueue);
  const steps = 400;
  // No periodic checkpoint before the end: any checkpoint must come from the graceful shutdown.
  const config = tinySweepConfig({
    name: 'sigterm',
    thresholds: [0.01],
    strengths: { values: [1e-7] },
    training: { steps, batchSize: 16, evalEvery: 200, checkpointEvery: 1000 },
  });
  const { sweepId } = await startSweep(deps, config);
  const { step: reached, worker: stopping } = await waitUntil('the run to heartbeat past step 3', async () => {
    const progress = await querySweepProgress(deps, sweepId);
    const run = progress?.runs[0];
    // Heartbeats come every ~2 s, so the window must be wide enough for one to land in it.
    if (!run?.live || run.live.step < 3 || run.live.step > steps - 100) return undefined;
    const row = await database.prisma.run.findUniqueOrThrow({ where: { id: run.runId } });
    const worker = live.find((candidate) => row.workerIdentity?.endsWith(`:${candidate.pid}`));
    return worker ? { step: run.live.step, worker } : undefined;
  });
  stopping.child.kill('SIGTERM');
  const [exitCode] = (await stopping.exited) as [number | null];
  assert.equal(exitCode, 0, `graceful exit; stderr:\n${stopping.stderr()}`);

  const result = await waitForSweep(deps, sweepId);
  assert.equal(result.status, 'completed');
  const progress = await querySweepProgress(deps, sweepId);
  const resumedFrom = progress!.runs[0]!.result!.resumedFromStep!;
  assert.ok(resumedFrom >= reached, `resumed after step ${resumedFrom}; the heartbeat had reached ${reached}`);
  const run = await database.prisma.run.findFirstOrThrow({ where: { sweepId } });
  assert.equal(run.status, 'completed');
  // 2, unless a busy machine stalled the second attempt past its heartbeat timeout too.
  assert.ok(run.attempt >= 2, `attempt ${run.attempt}`);
  const curve = await database.prisma.curvePoint.findMany({ where: { runId: run.id }, select: { step: true }, orderBy: { step: 'asc' } });
  assert.deepEqual(curve.map((point) => point.step), Array.from({ length: steps }, (_, i) => i + 1));
  await twoLiveWorkers();
  await assertSameAsUninterrupted(deps, config, sweepId);
});

test('a worker killed mid-retrain: the retrain resumes from its checkpoint on the other worker and completes', async () => {
  const live = await twoLiveWorkers();
  const deps = sweepDeps(database.prisma, temporal.client, taskQueue);
  const steps = 60;
  const config = tinySweepConfig({
    name: 'retrain-kill',
    // Noisy enough that accuracies stay short of 100% and tell two different networks apart.
    dataset: 'synthetic:classes=3,size=8,channels=1,train=96,test=120,seed=1,noise=0.45',
    thresholds: [0.01],
    strengths: { values: [1e-7] },
    training: { steps, batchSize: 16, evalEvery: 20, checkpointEvery: 5 },
  });
  const { sweepId } = await startSweep(deps, config);
  assert.equal((await waitForSweep(deps, sweepId)).status, 'completed');
  const run = await database.prisma.run.findFirstOrThrow({ where: { sweepId } });

  const { retrainId } = await startRetrain(deps, run.id, { widthMultiplier: 1 });
  const victim = await waitUntil('a checkpointed retrain in flight', async () => {
    const checkpoint = await database.prisma.retrainCheckpoint.findUnique({ where: { retrainId } });
    if (!checkpoint || checkpoint.step > steps - 20) return undefined;
    const description = await temporal.client.workflow.getHandle(retrainId).describe();
    const identity = description.raw.pendingActivities?.[0]?.lastWorkerIdentity;
    const worker = live.find((candidate) => identity === `morphsweep-worker@${candidate.pid}`);
    return worker ? { checkpointStep: checkpoint.step, worker } : undefined;
  });
  await killProcess(victim.worker, 'SIGKILL');
  const resumed = await waitForRetrain(deps, retrainId);
  assert.ok(resumed.resumedFromStep >= victim.checkpointStep, `resumed after step ${resumed.resumedFromStep}, checkpoint was at ${victim.checkpointStep}`);
  assert.equal(await database.prisma.retrainCheckpoint.count({ where: { retrainId } }), 0, 'a finished retrain keeps no checkpoint');

  // The same retrain without a kill ends exactly where the resumed one did: same network, same
  // fresh weights (seeded), and a resume on another process that changes no bit of the training.
  const uninterrupted = await waitForRetrain(deps, (await startRetrain(deps, run.id, { widthMultiplier: 1 })).retrainId);
  assert.equal(uninterrupted.resumedFromStep, 0);
  const outcome = ({ widthMultiplier, costFlops, costModelSize, costLatencyNs, valAccuracy, testAccuracy }: typeof resumed) => ({
    widthMultiplier,
    costFlops,
    costModelSize,
    costLatencyNs,
    valAccuracy,
    testAccuracy,
  });
  assert.deepEqual(outcome(resumed), outcome(uninterrupted));
  const row = await database.prisma.retrain.findUniqueOrThrow({ where: { id: retrainId } });
  assert.deepEqual([row.status, row.step], ['completed', steps]);
});

/** A search's trail with nothing that names its sweep: to compare two searches of one config. */
function searchTrail(search: TargetSearchState) {
  return {
    rounds: search.rounds.map((round) => round.probes.map(({ strength, state, cost, valAccuracy, steps }) => ({ strength, state, cost, valAccuracy, steps }))),
    outcome: search.outcome?.kind,
  };
}

test('a worker killed mid-probe: the target-cost search resumes and ends as an undisturbed search does', async () => {
  await twoLiveWorkers();
  const deps = sweepDeps(database.prisma, temporal.client, taskQueue);
  const steps = 60;
  // GroupLasso x FLOPs on 8x8 data: probes long enough to be caught between checkpoints, and the
  // early stop of probes settled off target in play (its look-back must survive the resume).
  const config = tinySweepConfig({
    name: 'kill search',
    regularizer: { algorithm: 'group-lasso', cost: 'flops' },
    thresholds: [0.1],
    strengths: { target: { fractionOfSeed: 0.5, tolerance: 0.1 } },
    training: { steps, batchSize: 16, learningRate: 0.05, evalEvery: 20, checkpointEvery: 5 },
    concurrency: 2,
  });
  const { sweepId } = await startSweep(deps, config);
  const victim = await waitUntil('a checkpointed probe in flight', async () => {
    const checkpoint = await database.prisma.checkpoint.findFirst({ where: { run: { sweepId }, step: { gte: 5, lte: steps - 20 } } });
    if (!checkpoint) return undefined;
    const run = await database.prisma.run.findUniqueOrThrow({ where: { id: checkpoint.runId } });
    const worker = workers.find((candidate) => run.workerIdentity?.endsWith(`:${candidate.pid}`));
    return run.status === 'running' && worker ? { runId: run.id, worker } : undefined;
  });
  await killProcess(victim.worker, 'SIGKILL');

  const result = await waitForSweep(deps, sweepId);
  assert.equal(result.status, 'completed');
  const resumed = await database.prisma.run.findUniqueOrThrow({ where: { id: victim.runId } });
  assert.ok(resumed.attempt >= 2, `the killed probe was resumed (attempt ${resumed.attempt})`);
  const interrupted = (await database.prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } })).targetSearch as unknown as TargetSearchState;

  await twoLiveWorkers();
  const again = await startSweep(deps, { ...config, name: 'kill search (uninterrupted)' });
  assert.equal((await waitForSweep(deps, again.sweepId)).status, 'completed');
  const undisturbed = (await database.prisma.sweep.findUniqueOrThrow({ where: { id: again.sweepId } })).targetSearch as unknown as TargetSearchState;
  assert.ok((await database.prisma.run.findMany({ where: { sweepId: again.sweepId } })).every((run) => run.attempt === 1), 'the reference search was not interrupted');
  assert.deepEqual(searchTrail(interrupted), searchTrail(undisturbed));
});
