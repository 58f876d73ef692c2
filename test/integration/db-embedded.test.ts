import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createPrismaClient } from '../../src/db/client.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { migrate, readMigrationFiles } from '../../src/db/migrate.ts';
import { resolveDatabase } from '../../src/db/resolve-database.ts';

let dataDir: string;
before(async () => {
  dataDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'morphsweep-pglite-')), 'db');
});
after(async () => {
  await rm(path.dirname(dataDir), { recursive: true, force: true });
});

test('a fresh embedded PGlite database is migrated exactly once by concurrent callers and Prisma uses it unchanged', async () => {
  await writeFile(`${dataDir}.lock`, '4194303'); // left by a process that no longer exists: taken over
  const server = await startEmbeddedPostgres({ dataDir });
  const prisma = createPrismaClient(server.url);
  try {
    assert.match(server.url, /^postgresql:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres/);
    // PGlite is a single session, so the advisory lock cannot separate these: the re-check inside
    // each migration's transaction must.
    const results = await Promise.all([migrate(server.url), migrate(server.url), migrate(server.url)]);
    const migrationNames = (await readMigrationFiles()).map((file) => file.name);
    assert.deepEqual(results.flatMap((result) => result.applied).sort(), migrationNames);

    const sweep = await prisma.sweep.create({ data: { id: 'embedded-1', name: 'embedded', tags: ['demo'], config: { a: 1 }, costAxis: 'flops' } });
    await prisma.run.create({ data: { id: 'embedded-run', sweepId: sweep.id, strength: 1e-8, threshold: 0.1, seed: 1, totalSteps: 10 } });
    await prisma.checkpoint.create({ data: { runId: 'embedded-run', step: 5, weights: Uint8Array.from([1, 2, 3]), optimizerState: Uint8Array.from([4]), rngState: {} } });
    const loaded = await prisma.sweep.findUniqueOrThrow({ where: { id: 'embedded-1' }, include: { runs: { include: { checkpoint: true } } } });
    assert.deepEqual(loaded.tags, ['demo']);
    assert.deepEqual(Array.from(loaded.runs[0].checkpoint!.weights), [1, 2, 3]);
  } finally {
    await prisma.$disconnect();
    await server.stop();
  }
});

test('without DATABASE_URL, resolveDatabase reopens the embedded data directory; interleaved transactions both commit', async () => {
  const database = await resolveDatabase({ dataDir, env: {} });
  const { prisma } = database;
  try {
    assert.equal(database.embedded, true);
    assert.equal(await prisma.sweep.count({ where: { id: 'embedded-1' } }), 1, 'rows written before the restart are still there');

    // Interactive transactions from separate pooled connections: PGlite runs one at a time, so each
    // must still see its own writes and both must commit.
    const writeRuns = (prefix: string) =>
      prisma.$transaction(async (tx) => {
        for (let seed = 0; seed < 5; seed++) {
          await tx.run.create({ data: { id: `${prefix}-${seed}`, sweepId: 'embedded-1', strength: prefix === 'a' ? 1 : 2, threshold: 0.1, seed, totalSteps: 10 } });
        }
        return tx.run.count({ where: { id: { startsWith: `${prefix}-` } } });
      });
    assert.deepEqual(await Promise.all([writeRuns('a'), writeRuns('b')]), [5, 5]);

    const plainClient = new pg.Client({ connectionString: database.url });
    await plainClient.connect();
    const { rows } = await plainClient.query('SELECT count(*)::int AS runs FROM "Run"');
    await plainClient.end();
    assert.deepEqual(rows, [{ runs: 11 }]);

    await assert.rejects(startEmbeddedPostgres({ dataDir }), /already open in this process/);
  } finally {
    await database.stop();
  }
});

test('a data directory held by another live process is refused before it can be corrupted', async () => {
  const otherDataDir = path.join(path.dirname(dataDir), 'other');
  await writeFile(`${otherDataDir}.lock`, String(process.ppid));
  await assert.rejects(startEmbeddedPostgres({ dataDir: otherDataDir }), (error: Error) => {
    assert.equal(error.name, 'EmbeddedPostgresError');
    assert.match(error.message, new RegExp(`in use by process ${process.ppid} .*Stop that MorphSweep process, or give this one another data directory or a DATABASE_URL`));
    return true;
  });
});
