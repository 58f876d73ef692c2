/**
 * Load drill: N notebook clients against `morphsweep serve` with two `morphsweep worker` processes,
 * all on loopback (a private PostgreSQL cluster and Temporal dev server of the drill's own). Each
 * client runs `cycles` times: create a sweep (with an Idempotency-Key, sent twice as a client retry
 * after a timeout would), poll it until it finishes, read its front, retrain the best point (its
 * key also sent twice), poll the retrain. Bounded: a fixed number of cycles and a deadline, after
 * which the clients stop and everything is torn down.
 *
 * Reported: p50/p99 latency per request kind, errors (goal: 0 5xx, 0 duplicated sweeps or retrains,
 * 0 lost points: every run completed with one curve point per step), and CPU use per process kind
 * with the machine's load average, to see what saturates first.
 *
 *   node --import tsx bench/load-drill.ts [clients=6] [cycles=2] [deadlineS=420]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createApiToken } from '../src/db/repositories/tokens.ts';
import { startTemporalDevServer } from '../src/temporal/dev-server.ts';
import { createTestDatabase } from '../test/support/database.ts';
import { startPostgresCluster } from '../test/support/postgres-cluster.ts';
import { ensureWebAppBuilt } from '../test/support/web-app.ts';

const clients = Number(process.argv[2] ?? 6);
const cycles = Number(process.argv[3] ?? 2);
const deadlineS = Number(process.argv[4] ?? 420);
const POLL_MS = 500;
const STEPS = 30;
const BIN = fileURLToPath(new URL('../bin/morphsweep.mjs', import.meta.url));

/** A notebook's small sweep: 2 x 2 grid points of a short run on tiny synthetic data. */
const sweepConfig = (name: string) => ({
  name,
  tags: ['load-drill'],
  dataset: 'synthetic:classes=3,size=8,channels=1,train=96,test=48,seed=1',
  validationFraction: 0.25,
  network: { name: 'reference-cnn', widthMultiplier: 0.25 },
  regularizer: { algorithm: 'gamma', cost: 'flops' },
  thresholds: [0.01, 0.5],
  strengths: { values: [1e-7, 1e-5] },
  training: { steps: STEPS, batchSize: 16, learningRate: 0.05, evalEvery: 10, checkpointEvery: 10 },
  seeds: [0],
  concurrency: 2,
});

interface Sample {
  kind: string;
  status: number;
  ms: number;
}
const samples: Sample[] = [];
const startedAtMs = performance.now();
const pastDeadline = () => performance.now() - startedAtMs > deadlineS * 1000;

async function timed(kind: string, url: string, token: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.key) headers['idempotency-key'] = init.key;
  const started = performance.now();
  let status = 0;
  let body: unknown;
  try {
    const response = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    status = response.status;
    body = await response.json().catch(() => undefined);
  } catch {
    status = -1; // connection refused or reset: counted as an error
  }
  samples.push({ kind, status, ms: performance.now() - started });
  return { status, body };
}

async function pollUntilDone(kind: string, url: string, token: string): Promise<any> {
  for (;;) {
    const { status, body } = await timed(kind, url, token);
    if (status === 200 && !['queued', 'running', 'pending'].includes(body.status)) return body;
    if (pastDeadline()) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

interface CycleOutcome {
  sweepKey: string;
  sweepIds: string[];
  retrainKey?: string;
  retrainIds: string[];
}

async function notebookClient(baseUrl: string, token: string, client: number): Promise<CycleOutcome[]> {
  const outcomes: CycleOutcome[] = [];
  for (let cycle = 0; cycle < cycles && !pastDeadline(); cycle++) {
    const sweepKey = `drill-${client}-${cycle}-${Date.now()}`;
    const body = sweepConfig(`drill ${client}.${cycle}`);
    // The retry of a request whose answer was lost: both at once, the same key.
    const created = await Promise.all([1, 2].map(() => timed('POST /api/sweeps', `${baseUrl}/api/sweeps`, token, { method: 'POST', body, key: sweepKey })));
    const outcome: CycleOutcome = { sweepKey, sweepIds: [...new Set(created.map((answer) => answer.body?.sweepId).filter(Boolean))], retrainIds: [] };
    outcomes.push(outcome);
    const sweepId = outcome.sweepIds[0];
    if (!sweepId) continue;
    const sweep = await pollUntilDone('GET /api/sweeps/{id}', `${baseUrl}/api/sweeps/${sweepId}`, token);
    if (!sweep) break;
    const front = await timed('GET /api/sweeps/{id}/front', `${baseUrl}/api/sweeps/${sweepId}/front`, token);
    // The most accurate point of the front (the front is by ascending cost).
    const best = front.body?.pareto?.at(-1);
    if (!best) continue;
    outcome.retrainKey = `${sweepKey}-retrain`;
    const retrained = await Promise.all(
      [1, 2].map(() => timed('POST /api/runs/{id}/retrain', `${baseUrl}/api/runs/${best.runId}/retrain`, token, { method: 'POST', body: { widthMultiplier: 0.5 }, key: outcome.retrainKey })),
    );
    outcome.retrainIds = [...new Set(retrained.map((answer) => answer.body?.retrainId).filter(Boolean))];
    if (outcome.retrainIds[0]) await pollUntilDone('GET /api/retrains/{id}', `${baseUrl}/api/retrains/${outcome.retrainIds[0]}`, token);
  }
  return outcomes;
}

function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', () => {}); // drained; a worker's warnings are not the drill's output
  return child;
}

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${seen}`)), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ${pattern}:\n${seen}`)));
  });
}

/** CPU ms of a process (user + system, and of its reaped children), from /proc. */
function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return 0;
  }
}

/**
 * The cluster's postmaster (its command line names the port) and its live backends (its children).
 * The postmaster's own counters include the backends it has reaped (cutime).
 */
function postgresPids(port: number): number[] {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  const postmaster = all.find((pid) => {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return args[0]!.endsWith('postgres') && args.some((arg, i) => arg === '-p' && args[i + 1] === String(port));
    } catch {
      return false;
    }
  });
  if (postmaster === undefined) return [];
  const children = all.filter((pid) => {
    try {
      return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === postmaster;
    } catch {
      return false;
    }
  });
  return [postmaster, ...children];
}

/** The Temporal dev server's process: the CLI serving the drill's frontend port. */
function temporalPid(address: string): number | undefined {
  const port = address.split(':').at(-1);
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .find((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.includes('start-dev') && args.some((arg, i) => arg === '--port' && args[i + 1] === port);
      } catch {
        return false;
      }
    });
}

function percentile(sorted: number[], fraction: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const cluster = await startPostgresCluster();
  const database = await createTestDatabase({ adminUrl: cluster.adminUrl });
  const temporal = await startTemporalDevServer();
  const { distDir } = await ensureWebAppBuilt();
  const token = (await createApiToken(database.prisma, 'load-drill')).secret;
  const env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    MORPHSWEEP_NEXT_DIST_DIR: distDir,
    MORPHSWEEP_THREADS: '1',
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const children: ChildProcess[] = [];
  try {
    const serve = spawnCli(['serve', '--port', String(port), '--host', '127.0.0.1'], env);
    const workers = [1, 2].map(() => spawnCli(['worker', '--concurrency', '1'], env));
    children.push(serve, ...workers);
    await Promise.all([waitForOutput(serve, /MorphSweep dashboard and API on/, 120_000), ...workers.map((worker) => waitForOutput(worker, /polling task queue/, 120_000))]);
    const baseUrl = `http://127.0.0.1:${port}`;
    const pgPids = () => postgresPids(cluster.port);
    const temporalServer = temporalPid(temporal.address);
    const cpuOf = () => ({
      serve: cpuMs(serve.pid),
      temporal: cpuMs(temporalServer),
      workers: workers.reduce((sum, worker) => sum + cpuMs(worker.pid), 0),
      postgres: pgPids().reduce((sum, pid) => sum + cpuMs(pid), 0),
      drill: process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000,
    });
    // One request of each kind first: the server's first use of a route (and of its Prisma and
    // Temporal connections) is a one-time cost, reported apart from the drill.
    const warmUpStartMs = performance.now();
    await timed('warm-up', `${baseUrl}/api/sweeps`, token);
    await timed('warm-up', `${baseUrl}/api/sweeps`, token, { method: 'POST', body: { name: 'invalid on purpose' } });
    console.log(`warm-up (first requests of a cold server): ${(performance.now() - warmUpStartMs).toFixed(0)} ms`);
    samples.length = 0;
    const cpuBefore = cpuOf();
    const loadSamples: number[] = [];
    const loadTimer = setInterval(() => loadSamples.push(loadavg()[0]!), 5_000);
    const drillStartMs = performance.now();
    const outcomes = (await Promise.all(Array.from({ length: clients }, (_, client) => notebookClient(baseUrl, token, client)))).flat();
    const wallS = (performance.now() - drillStartMs) / 1000;
    clearInterval(loadTimer);
    const cpuAfter = cpuOf();

    // Duplicates and losses, from the store itself.
    const duplicatedSweeps = outcomes.filter((o) => o.sweepIds.length !== 1).length;
    let duplicatedRetrains = 0;
    for (const outcome of outcomes.filter((o) => o.retrainKey)) {
      const rows = await database.prisma.retrain.count({ where: { idempotencyKey: outcome.retrainKey } });
      if (rows !== 1 || outcome.retrainIds.length !== 1) duplicatedRetrains += 1;
    }
    const sweepRowsPerKey = await Promise.all(outcomes.map((o) => database.prisma.sweep.count({ where: { idempotencyKey: o.sweepKey } })));
    const runs = await database.prisma.run.findMany({ where: { sweep: { tags: { has: 'load-drill' } } }, include: { _count: { select: { curve: true } } } });
    const lostPoints = runs.filter((run) => run.status !== 'completed' || run._count.curve !== STEPS).length;
    const unfinishedSweeps = await database.prisma.sweep.count({ where: { tags: { has: 'load-drill' }, status: { not: 'completed' } } });
    const retrains = await database.prisma.retrain.findMany();
    // The training slots (one per worker): how busy they were, and how long work waited for one.
    const sweeps = await database.prisma.sweep.findMany({ where: { tags: { has: 'load-drill' } } });
    const trainingMs = runs.reduce((sum, run) => sum + (run.finishedAt!.getTime() - run.startedAt!.getTime()), 0);
    const sweepCreatedMs = new Map(sweeps.map((sweep) => [sweep.id, sweep.createdAt.getTime()]));
    const runWaitsS = runs.map((run) => (run.startedAt!.getTime() - sweepCreatedMs.get(run.sweepId)!) / 1000).sort((a, b) => a - b);

    // The same create, alone: what a request costs without the drill's contention.
    for (let i = 0; i < 5; i++) {
      await timed('quiet', `${baseUrl}/api/sweeps`, token, { method: 'POST', body: { ...sweepConfig(`quiet ${i}`), tags: ['quiet'] } });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const quietCreates = samples.filter((sample) => sample.kind === 'quiet');
    samples.splice(0, samples.length, ...samples.filter((sample) => sample.kind !== 'quiet'));

    const kinds = [...new Set(samples.map((sample) => sample.kind))].sort();
    console.log(`\nload drill: ${clients} clients x ${cycles} cycles, ${wallS.toFixed(1)} s, ${samples.length} requests (${(samples.length / wallS).toFixed(1)}/s)\n`);
    console.log('| request | count | p50 ms | p99 ms | max ms | 5xx | other errors |');
    console.log('|---|---|---|---|---|---|---|');
    for (const kind of kinds) {
      const ofKind = samples.filter((sample) => sample.kind === kind);
      const sorted = ofKind.map((sample) => sample.ms).sort((a, b) => a - b);
      const serverErrors = ofKind.filter((sample) => sample.status >= 500 || sample.status === -1).length;
      const otherErrors = ofKind.filter((sample) => sample.status >= 400 && sample.status < 500).length;
      console.log(`| ${kind} | ${ofKind.length} | ${percentile(sorted, 0.5).toFixed(0)} | ${percentile(sorted, 0.99).toFixed(0)} | ${sorted.at(-1)!.toFixed(0)} | ${serverErrors} | ${otherErrors} |`);
    }
    console.log('\n| check | result |');
    console.log('|---|---|');
    console.log(`| sweeps created (one per key) | ${outcomes.length} keys, ${sweepRowsPerKey.filter((count) => count === 1).length} with exactly one row |`);
    console.log(`| duplicated sweeps | ${duplicatedSweeps + sweepRowsPerKey.filter((count) => count > 1).length} |`);
    console.log(`| duplicated retrains | ${duplicatedRetrains} (${retrains.length} retrains, ${retrains.filter((r) => r.status === 'completed').length} completed) |`);
    console.log(`| runs not completed or with a curve point missing/doubled | ${lostPoints} of ${runs.length} |`);
    console.log(`| sweeps not completed | ${unfinishedSweeps} |`);
    console.log(`| 5xx or dropped connections | ${samples.filter((sample) => sample.status >= 500 || sample.status === -1).length} |`);
    console.log('\n| process | CPU s | share of one core over the drill |');
    console.log('|---|---|---|');
    const labels = { workers: 'two workers (training, workflow tasks)', serve: 'morphsweep serve (API)', temporal: 'Temporal dev server', postgres: 'PostgreSQL', drill: 'drill clients' };
    for (const key of ['workers', 'serve', 'temporal', 'postgres', 'drill'] as const) {
      const seconds = (cpuAfter[key] - cpuBefore[key]) / 1000;
      console.log(`| ${labels[key]} | ${seconds.toFixed(1)} | ${((100 * seconds) / wallS).toFixed(0)} % |`);
    }
    console.log(`\ntraining slots (2 workers x 1): busy ${((100 * trainingMs) / (2 * wallS * 1000)).toFixed(0)} % of the drill; a run waited p50 ${percentile(runWaitsS, 0.5).toFixed(1)} s, max ${runWaitsS.at(-1)!.toFixed(1)} s from its sweep's creation to its start`);
    const quietSorted = quietCreates.map((sample) => sample.ms).sort((a, b) => a - b);
    console.log(`POST /api/sweeps alone after the drill (${quietCreates.length} sequential creates): p50 ${percentile(quietSorted, 0.5).toFixed(0)} ms, max ${quietSorted.at(-1)?.toFixed(0)} ms`);
    const meanLoad = loadSamples.reduce((sum, value) => sum + value, 0) / Math.max(1, loadSamples.length);
    console.log(`\nload average (1 min): ${loadBefore[0]!.toFixed(1)} before, mean ${meanLoad.toFixed(1)} during (max ${Math.max(...loadSamples).toFixed(1)}), on ${cpus().length} cores`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)))));
    await temporal.stop();
    await database.drop().catch(() => {});
    await cluster.stop();
  }
}

await main();
