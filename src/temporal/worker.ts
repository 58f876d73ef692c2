import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities/index.ts';
import { trainingTaskQueueFor } from './task-queues.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKFLOWS_ENTRY = join(repoRoot, 'workflows', 'index.ts');
/**
 * Every directory whose files end up in the workflow bundle (src/morphnet through the strength grid),
 * and the lockfile for the SDK's workflow runtime: a change in any of them rebuilds it.
 */
const BUNDLED_SOURCE_DIRS = ['workflows', 'src/sweep', 'src/temporal', 'src/morphnet'];
const BUNDLED_PACKAGES_LOCK = 'package-lock.json';

/**
 * Shutdown cancels running activities at once (grace time 0): a training run then saves the step it
 * reached and hands itself back, instead of training on while its heartbeats may already be lost.
 * This is how long the checkpoint writes may take before the worker stops regardless.
 */
const SHUTDOWN_FORCE_MS = 30_000;
/**
 * Heartbeats of a training run reach Temporal at least this often. They carry the live progress the
 * dashboard shows, and a cancelled sweep's runs learn of the cancel from a heartbeat's answer: by
 * default they go out every 80% of the 30 s heartbeat timeout, so a cancel took up to 24 s to land.
 */
const HEARTBEAT_THROTTLE_MS = 2_000;
/** Bookkeeping activities are short DB writes; a handful at once is plenty per process. */
const BOOKKEEPING_SLOTS = 8;

/**
 * Webpack takes several seconds on a small machine, and every worker process (tests, demo, bench)
 * needs the same bundle: keep it in the temp dir keyed by the hash of its sources.
 */
export async function sweepWorkflowBundle(): Promise<{ code: string }> {
  const hash = createHash('sha256');
  for (const dir of BUNDLED_SOURCE_DIRS) {
    const names = (await readdir(join(repoRoot, dir))).filter((name) => name.endsWith('.ts')).sort();
    for (const name of names) hash.update(`${dir}/${name}\0`).update(await readFile(join(repoRoot, dir, name)));
  }
  hash.update(await readFile(join(repoRoot, BUNDLED_PACKAGES_LOCK)));
  const cacheDir = join(tmpdir(), 'morphsweep-workflow-bundles');
  const cachePath = join(cacheDir, `${hash.digest('hex').slice(0, 24)}.js`);
  try {
    return { code: await readFile(cachePath, 'utf8') };
  } catch {
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: quietBundlerLogger });
    await mkdir(cacheDir, { recursive: true });
    const partialPath = `${cachePath}.${process.pid}.tmp`;
    await writeFile(partialPath, code);
    await rename(partialPath, cachePath);
    return { code };
  }
}

const quietBundlerLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn(message: string) {
    process.stderr.write(`workflow bundler: ${message}\n`);
  },
  error(message: string) {
    process.stderr.write(`workflow bundler: ${message}\n`);
  },
};

export interface SweepWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Training runs at a time in this process: one per device it owns. */
  concurrency: number;
  identity?: string;
}

/** The two workers one MorphSweep worker process runs, started and stopped together. */
export interface SweepWorker {
  taskQueue: string;
  run(): Promise<void>;
  /** Graceful: running activities are asked to checkpoint and stop, then both workers end. */
  shutdown(): void;
}

export async function createSweepWorker(options: SweepWorkerOptions): Promise<SweepWorker> {
  const activities = createActivities(options);
  const identity = options.identity ?? `morphsweep-worker@${process.pid}`;
  const common = { connection: options.connection, namespace: options.namespace, identity, shutdownGraceTime: 0, shutdownForceTime: SHUTDOWN_FORCE_MS };
  const orchestrationWorker = await Worker.create({
    ...common,
    taskQueue: options.taskQueue,
    workflowBundle: await sweepWorkflowBundle(),
    activities: pick(activities, BOOKKEEPING_ACTIVITY_NAMES),
    maxConcurrentActivityTaskExecutions: BOOKKEEPING_SLOTS,
  });
  const trainingWorker = await Worker.create({
    ...common,
    taskQueue: trainingTaskQueueFor(options.taskQueue),
    activities: pick(activities, TRAINING_ACTIVITY_NAMES),
    maxConcurrentActivityTaskExecutions: options.concurrency,
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE_MS,
  });
  return {
    taskQueue: options.taskQueue,
    async run() {
      await Promise.all([orchestrationWorker.run(), trainingWorker.run()]);
    },
    shutdown() {
      for (const worker of [trainingWorker, orchestrationWorker]) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
    },
  };
}

const TRAINING_ACTIVITY_NAMES = ['learnStructure', 'retrainStructure', 'measureSeedAccuracy'] as const;
const BOOKKEEPING_ACTIVITY_NAMES = [
  'markSweepRunning',
  'measureSeedCost',
  'registerRuns',
  'recordRunFailure',
  'cancelUnfinishedRuns',
  'finishSweep',
  'recordRetrainFailure',
  'recordRetrainCancelled',
  'planEvidence',
  'finishEvidence',
  'recordTargetSearch',
  'suggestWidthMultiplier',
] as const;

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, source[key]])) as Pick<T, K>;
}
