/**
 * Latency of GET /api/sweeps/{id}/front for a sweep of 10,000 completed runs, under concurrent load
 * from a second process, against the production build and a real PostgreSQL. Side by side in the same
 * run: GET /api/health under the same load (the server stack's own floor), so the ratio shows what the
 * front itself costs. Target: front p95 < 100 ms.
 *
 *   node --import tsx bench/api.ts [points=10000] [concurrency=8] [seconds=15]
 */
import { spawn } from 'node:child_process';
import { createApiToken } from '../src/db/repositories/tokens.ts';
import { createTestDatabase } from '../test/support/database.ts';
import { startPostgresCluster } from '../test/support/postgres-cluster.ts';
import { startWebApp } from '../test/support/web-app.ts';
import { insertCompletedRuns, insertSweep } from '../test/integration/api-fixtures.ts';

const points = Number(process.argv[2] ?? 10_000);
const concurrency = Number(process.argv[3] ?? 8);
const seconds = Number(process.argv[4] ?? 15);
const P95_TARGET_MS = 100;

/** The load generator: its own process, so the server's event loop is not shared with the clients. */
const LOAD_SCRIPT = `
const [url, token, concurrency, seconds] = process.argv.slice(1);
const latencies = [];
let failures = 0;
const deadline = performance.now() + Number(seconds) * 1000;
async function client() {
  while (performance.now() < deadline) {
    const started = performance.now();
    const response = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
    await response.arrayBuffer();
    if (response.ok) latencies.push(performance.now() - started); else failures += 1;
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, client));
process.stdout.write(JSON.stringify({ latencies, failures }));
`;

interface LoadResult {
  latencies: number[];
  failures: number;
}

function runLoad(url: string, token: string, clients: number, durationS: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', LOAD_SCRIPT, url, token, String(clients), String(durationS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`load process exited ${code}`))));
  });
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

function summary(result: LoadResult, durationS: number) {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    failures: result.failures,
    perSecond: sorted.length / durationS,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
  };
}

const cluster = await startPostgresCluster();
const db = await createTestDatabase({ adminUrl: cluster.adminUrl });
let app: Awaited<ReturnType<typeof startWebApp>> | undefined;
try {
  const sweep = await insertSweep(db.prisma, { seedCost: { flops: 1e7, modelSize: 1e5, latencyNs: 1e6 }, seedAccuracy: 0.9 });
  let state = 11;
  const random = () => (state = (state * 48271) % 2147483647) / 2147483647;
  await insertCompletedRuns(
    db.prisma,
    sweep.id,
    Array.from({ length: points }, () => {
      const size = random();
      return { costFlops: size * 1e7, costModelSize: random() * 1e5, valAccuracy: 0.3 + 0.6 * size * random() };
    }),
  );
  const token = (await createApiToken(db.prisma, 'bench')).secret;
  app = await startWebApp({ databaseUrl: db.url });
  const frontUrl = `${app.url}/api/sweeps/${sweep.id}/front?cost=flops`;
  const healthUrl = `${app.url}/api/health`;

  const probe = await fetch(frontUrl, { headers: { authorization: `Bearer ${token}` } });
  const front = (await probe.json()) as { pareto: unknown[]; dominated: unknown[] };
  if (front.pareto.length + front.dominated.length !== points) throw new Error('front does not hold every point');
  console.log(`front of ${points} points: ${front.pareto.length} on the front, response ${(JSON.stringify(front).length / 1024).toFixed(0)} KiB`);

  await runLoad(frontUrl, token, concurrency, 3); // warm-up: JIT, connection pool, Postgres caches
  const single = summary(await runLoad(frontUrl, token, 1, Math.max(3, seconds / 3)), Math.max(3, seconds / 3));
  const loaded = summary(await runLoad(frontUrl, token, concurrency, seconds), seconds);
  const floor = summary(await runLoad(healthUrl, token, concurrency, seconds / 3), seconds / 3);

  const row = (label: string, s: ReturnType<typeof summary>) =>
    `${label.padEnd(34)} ${s.p50.toFixed(1).padStart(8)} ${s.p95.toFixed(1).padStart(8)} ${s.p99.toFixed(1).padStart(8)} ${s.perSecond.toFixed(1).padStart(8)} ${String(s.failures).padStart(6)}`;
  console.log(`${'endpoint (clients)'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(8)} ${'fail'.padStart(6)}`);
  console.log(row('front, 1 client', single));
  console.log(row(`front, ${concurrency} clients`, loaded));
  console.log(row(`health, ${concurrency} clients`, floor));
  console.log(`ratio front/health p50 under load: ${(loaded.p50 / floor.p50).toFixed(1)}x`);
  console.log(`ratio front p95 / target ${P95_TARGET_MS} ms: ${(loaded.p95 / P95_TARGET_MS).toFixed(2)} (${loaded.p95 < P95_TARGET_MS ? 'meets' : 'misses'} the target)`);
  console.log('note: the load generator shares the machine\'s CPUs with the server and Postgres; numbers are noisy on a busy machine');
} finally {
  await app?.stop();
  await db.drop();
  await cluster.stop();
}
