import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { resolveDatabase } from '../../db/resolve-database.ts';
import { getSweep } from '../../db/repositories/sweeps.ts';
import type { SweepConfigInput } from '../../sweep/config.ts';
import { connectClient } from '../../temporal/connection.ts';
import { resolveTemporal } from '../../temporal/resolve-temporal.ts';
import { startRetrain, startSweep, waitForRetrain, type SweepDeps } from '../../temporal/sweeps.ts';
import { startEvidence, waitForEvidence } from '../../temporal/evidence.ts';
import type { EvidenceSummary } from '../../sweep/evidence.ts';
import type { TargetSearchState } from '../../sweep/target-search.ts';
import { formatEvidence } from '../evidence-table.ts';
import { createOutput, formatNumber } from '../output.ts';
import { createProgressView } from '../progress-view.ts';
import { dataDirFromEnv } from '../services.ts';
import { waitWithProgress } from '../wait.ts';
import { formatFront, loadFront, type FrontPointView } from './front.ts';

const BIN_PATH = fileURLToPath(new URL('../../../bin/morphsweep.mjs', import.meta.url));
const DEMO_WORKERS = 2;
/** The demo retrains the best point that needs at most this share of the seed network's FLOPs. */
const TARGET_COST_FRACTION = 0.5;
/** Steps per run: the quick demo's grid, and the full demo's search probes and evidence retrains. */
const QUICK_DEMO_STEPS = 120;
const EVIDENCE_DEMO_STEPS = 300;

/**
 * A small real sweep: 3 strengths (a decade each side of 1/initial FLOPs) x 2 gamma thresholds on a slice of
 * Fashion-MNIST, short enough to finish in a few minutes on two CPU cores.
 */
export function demoSweepConfig(steps: number): SweepConfigInput {
  return {
    name: 'demo: Fashion-MNIST, reference CNN, GammaFlops',
    tags: ['demo'],
    dataset: 'fashion-mnist',
    dataLimit: 3000,
    network: { name: 'reference-cnn' },
    regularizer: { algorithm: 'gamma', cost: 'flops' },
    thresholds: [0.01, 0.1],
    strengths: { grid: { decades: 1, perDecade: 1 } },
    training: { steps, batchSize: 32, learningRate: 0.05, optimizer: 'momentum', evalEvery: Math.max(1, Math.floor(steps / 4)), checkpointEvery: Math.max(1, Math.floor(steps / 4)) },
    seeds: [0],
    concurrency: DEMO_WORKERS,
  };
}

/**
 * The full demo's search: the same network and data, FiGS (the recommended regularizer) on FLOPs,
 * searching the strength for a structure at 50 % of the seed's FLOPs (± 10 %).
 */
export function demoTargetSearchConfig(steps: number): SweepConfigInput {
  return {
    ...demoSweepConfig(steps),
    name: 'demo: Fashion-MNIST, reference CNN, FiGS FLOPs, target 50 % of the seed',
    regularizer: { algorithm: 'logistic-sigmoid', cost: 'flops' },
    thresholds: [0.1],
    strengths: { target: { fractionOfSeed: TARGET_COST_FRACTION, tolerance: 0.1 } },
  };
}

/** Seeds per arm of the demo's evidence run. */
const DEMO_EVIDENCE_SEEDS = 3;

interface EvidenceDemoOutcome {
  sweepId: string;
  status: string;
  search: TargetSearchState | null;
  front: FrontPointView[];
  evidence: null | { runId: string; evidenceId: string; status: string; summary: EvidenceSummary | null; seedFlops: number | undefined };
}

interface DemoOutcome {
  sweepId: string;
  status: string;
  front: FrontPointView[];
  retrain: null | {
    runId: string;
    retrainId: string;
    targetCost: number;
    widthMultiplier: number;
    costFlops: number;
    valAccuracy: number;
    testAccuracy: number;
  };
}

async function runDemo<T>(log: (line: string) => void, body: (deps: SweepDeps, prisma: SweepDeps['prisma']) => Promise<T>): Promise<T> {
  const stack: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of stack.splice(0).reverse()) await cleanup().catch(() => {});
  };
  // Ctrl-C must not leave workers, the dev server or the embedded database running.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping workers and services ...`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    log('starting services (embedded Postgres unless DATABASE_URL, Temporal dev server unless TEMPORAL_ADDRESS) ...');
    const database = await resolveDatabase({ dataDir: dataDirFromEnv() });
    stack.push(() => database.stop());
    const temporal = await resolveTemporal();
    stack.push(() => temporal.stop());
    const taskQueue = `demo-${randomBytes(3).toString('hex')}`;
    const workers = Array.from({ length: DEMO_WORKERS }, () => spawnWorker(taskQueue, database.url, temporal.address, temporal.namespace));
    stack.push(() => stopWorkers(workers));
    const { client, close } = await connectClient(temporal.config);
    stack.push(close);
    const deps: SweepDeps = { prisma: database.prisma, client, taskQueue };
    log(`${DEMO_WORKERS} workers on task queue ${taskQueue}`);
    return await body(deps, database.prisma);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanUp();
  }
}

/** Today's two-minute demo: a 3 x 2 grid, its front, one retrain under half the seed's FLOPs. */
async function runQuickDemo(steps: number, quiet: boolean, log: (line: string) => void): Promise<DemoOutcome> {
  return runDemo(log, async (deps, prisma) => {
    const { sweepId } = await startSweep(deps, demoSweepConfig(steps));
    log(`sweep ${sweepId} started`);
    const result = await waitWithProgress(deps, sweepId, quiet ? undefined : createProgressView());
    const { front } = await loadFront(prisma, sweepId, 'flops');
    const seedFlops = ((await getSweep(prisma, sweepId)).seedCost as { flops?: number } | null)?.flops;
    const choice = chooseRetrainPoint(front, seedFlops === undefined ? undefined : seedFlops * TARGET_COST_FRACTION);
    if (!choice) return { sweepId, status: result.status, front, retrain: null };

    log(`retraining run ${choice.point.runId} at the widest multiplier under ${formatNumber(choice.targetCost)} FLOPs ...`);
    const { retrainId } = await startRetrain(deps, choice.point.runId, { targetCost: choice.targetCost });
    const retrained = await waitForRetrain(deps, retrainId);
    return { sweepId, status: result.status, front, retrain: { runId: choice.point.runId, targetCost: choice.targetCost, ...retrained } };
  });
}

/**
 * The full demo: a target-cost search for a structure at half the seed's FLOPs, then the evidence
 * loop on its result: 3 seeds of the structure and 3 of the uniformly thinned seed network at the
 * same FLOPs, with the 95 % interval of the difference.
 */
async function runEvidenceDemo(steps: number, quiet: boolean, log: (line: string) => void): Promise<EvidenceDemoOutcome> {
  return runDemo(log, async (deps, prisma) => {
    const { sweepId } = await startSweep(deps, demoTargetSearchConfig(steps));
    log(`target-cost search ${sweepId} started`);
    const result = await waitWithProgress(deps, sweepId, quiet ? undefined : createProgressView());
    const sweep = await getSweep(prisma, sweepId);
    const search = sweep.targetSearch as unknown as TargetSearchState | null;
    const seedFlops = (sweep.seedCost as { flops?: number } | null)?.flops;
    const { front } = await loadFront(prisma, sweepId, 'flops');
    const outcome = search?.outcome;
    const choice = search ? structureToCompare(search) : undefined;
    if (outcome) log(`search: ${outcome.message}`);
    if (!choice) return { sweepId, status: result.status, search, front, evidence: null };
    const runId = choice.runId;
    // Missed the target from below (the cost fell off a cliff): MorphNet's own protocol expands the
    // structure back to the target, and the uniform baseline is widened to it as well.
    const expandTo = outcome?.kind !== 'hit' && choice.cost < search!.targetCost ? search!.targetCost : undefined;
    log(
      `evidence: retraining run ${runId} and the uniform-width seed at the same FLOPs, ${DEMO_EVIDENCE_SEEDS} seeds each` +
        `${expandTo === undefined ? '' : `, and both widened to the target (${formatNumber(expandTo)} FLOPs)`} ...`,
    );
    const { evidenceId } = await startEvidence(deps, runId, { seeds: DEMO_EVIDENCE_SEEDS, ...(expandTo === undefined ? {} : { expandTo }) });
    const evidence = await waitForEvidence(deps, evidenceId);
    return { sweepId, status: result.status, search, front, evidence: { runId, evidenceId, status: evidence.status, summary: evidence.summary, seedFlops } };
  });
}

/**
 * The structure the demo compares with uniform width: the search's hit, or else the completed probe
 * nearest the target from below, or else the cheapest completed one. A bracket's cheaper end can be a
 * fully pruned probe (cost 0, a failed run with no structure), which has nothing to retrain.
 */
export function structureToCompare(search: TargetSearchState): { runId: string; cost: number } | undefined {
  if (search.outcome?.kind === 'hit') return { runId: search.outcome.runId, cost: search.outcome.cost };
  const completed = search.rounds
    .flatMap((round) => round.probes)
    .flatMap((probe) => (probe.state === 'completed' && probe.cost !== null && probe.cost > 0 ? [{ runId: probe.runId, cost: probe.cost }] : []));
  const under = completed.filter((probe) => probe.cost <= search.targetCost).sort((a, b) => b.cost - a.cost);
  return under[0] ?? [...completed].sort((a, b) => a.cost - b.cost)[0];
}

/** The most accurate front point within the target (or the cheapest if none fits, target = its cost). */
function chooseRetrainPoint(front: FrontPointView[], targetCost: number | undefined): { point: FrontPointView; targetCost: number } | null {
  if (front.length === 0) return null;
  const fitting = targetCost === undefined ? [] : front.filter((point) => point.cost <= targetCost);
  if (fitting.length > 0) return { point: fitting[fitting.length - 1]!, targetCost: targetCost! };
  return { point: front[0]!, targetCost: front[0]!.cost };
}

export function spawnWorker(taskQueue: string, databaseUrl: string, address: string, namespace: string, stderr: 'inherit' | 'pipe' = 'inherit'): ChildProcess {
  return spawn(process.execPath, [BIN_PATH, 'worker', '--task-queue', taskQueue, '--concurrency', '1'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      // Two workers share the machine's cores; oversubscribed thread pools only slow both down.
      MORPHSWEEP_THREADS: process.env.MORPHSWEEP_THREADS ?? '1',
      // Worker lifecycle lines would bury the demo's own progress.
      MORPHSWEEP_LOG_LEVEL: process.env.MORPHSWEEP_LOG_LEVEL ?? 'WARN',
    },
    stdio: ['ignore', 'ignore', stderr],
  });
}

export async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.exitCode !== null || worker.signalCode !== null) return;
      const exited = once(worker, 'exit');
      worker.kill('SIGTERM');
      const timer = setTimeout(() => worker.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

export async function demoAction(options: { steps?: number; quick?: boolean; json?: boolean }, setExitCode: (code: number) => void): Promise<void> {
  const output = createOutput(Boolean(options.json));
  if (!options.quick) {
    const outcome = await runEvidenceDemo(options.steps ?? EVIDENCE_DEMO_STEPS, output.json, (line) => output.info(line));
    output.result(outcome, () =>
      [
        `Pareto front of sweep ${outcome.sweepId} (FLOPs vs validation accuracy; every search probe is a point):`,
        formatFront(outcome.front, 'flops'),
        '',
        outcome.search?.outcome ? `target search: ${outcome.search.outcome.message}` : 'the target search did not finish',
        outcome.evidence?.summary
          ? `\nIs the learned structure better than uniform width at the same FLOPs? (run ${outcome.evidence.runId}, test accuracy over ${DEMO_EVIDENCE_SEEDS} seeds)\n${formatEvidence(outcome.evidence.summary, outcome.evidence.seedFlops)}`
          : `no evidence: ${outcome.evidence ? `the evidence run ${outcome.evidence.status}` : 'no structure to compare'}`,
      ].join('\n'),
    );
    if (!outcome.evidence?.summary) setExitCode(1);
    return;
  }
  const outcome = await runQuickDemo(options.steps ?? QUICK_DEMO_STEPS, output.json, (line) => output.info(line));
  output.result(outcome, () =>
    [
      `Pareto front of sweep ${outcome.sweepId} (FLOPs vs validation accuracy):`,
      formatFront(outcome.front, 'flops'),
      '',
      outcome.retrain
        ? `retrained run ${outcome.retrain.runId} under ${formatNumber(outcome.retrain.targetCost)} FLOPs: width multiplier ${formatNumber(outcome.retrain.widthMultiplier)}, FLOPs ${formatNumber(outcome.retrain.costFlops)}, val acc ${formatNumber(outcome.retrain.valAccuracy)}, test acc ${formatNumber(outcome.retrain.testAccuracy)}`
        : 'no completed run to retrain',
    ].join('\n'),
  );
  if (!outcome.retrain) setExitCode(1);}
