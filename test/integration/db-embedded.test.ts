import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
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

test('without DATABASE_URL, resolveDatabase serves a migrated embedded PGlite database that Prisma uses unchanged', async () => {
  const database = await resolveDatabase({ dataDir, env: {} });
  try {
    assert.equal(database.embedded, true);
    assert.match(database.url, /^postgresql:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres/);
    const sweep = await database.prisma.sweep.create({ data: { id: 'embedded-1', name: 'embedded', tags: ['demo'], config: { a: 1 }, costAxis: 'flops' } });
    await database.prisma.run.create({ data: { id: 'embedded-run', sweepId: sweep.id, strength: 1e-8, threshold: 0.1, seed: 1, totalSteps: 10 } });
    await database.prisma.checkpoint.create({ data: { runId: 'embedded-run', step: 5, weights: Uint8Array.from([1, 2, 3]), optimizerState: Uint8Array.from([4]), rngState: {} } });
    const loaded = await database.prisma.sweep.findUniqueOrThrow({ where: { id: 'embedded-1' }, include: { runs: { include: { checkpoint: true } } } });
    assert.deepEqual(loaded.tags, ['demo']);
    assert.deepEqual(Array.from(loaded.runs[0].checkpoint!.weights), [1, 2, 3]);
  } finally {
    await database.stop();
  }
});

test('the data directory survives a restart; concurrent transactions and migrate calls over several connections stay correct', async () => {
  const server = await startEmbeddedPostgres({ dataDir });
  const prisma = createPrismaClient(server.url);
  try {
    assert.equal(await prisma.sweep.count({ where: { id: 'embedded-1' } }), 1, 'rows written before the restart are still there');
    const results = await Promise.all([migrate(server.url), migrate(server.url), migrate(server.url)]);
    assert.deepEqual(results.map((result) => result.applied), [[], [], []]);
    const applied = await prisma.$queryRawUnsafe<{ name: string }[]>('SELECT "name" FROM "_morphsweep_migrations"');
    assert.deepEqual(applied.map((row) => row.name), (await readMigrationFiles()).map((file) => file.name));

    // Interleaved interactive transactions from separate pooled connections: PGlite runs one at a
    // time, so each must still see its own writes and both must commit.
    const writeRuns = (prefix: string) =>
      prisma.$transaction(async (tx) => {
        for (let seed = 0; seed < 5; seed++) {
          await tx.run.create({ data: { id: `${prefix}-${seed}`, sweepId: 'embedded-1', strength: prefix === 'a' ? 1 : 2, threshold: 0.1, seed, totalSteps: 10 } });
        }
        return tx.run.count({ where: { id: { startsWith: `${prefix}-` } } });
      });
    assert.deepEqual(await Promise.all([writeRuns('a'), writeRuns('b')]), [5, 5]);

    const plainClient = new pg.Client({ connectionString: server.url });
    await plainClient.connect();
    const { rows } = await plainClient.query('SELECT count(*)::int AS runs FROM "Run"');
    await plainClient.end();
    assert.deepEqual(rows, [{ runs: 11 }]);
  } finally {
    await prisma.$disconnect();
    await server.stop();
  }
});
