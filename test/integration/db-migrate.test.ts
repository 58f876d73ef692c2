import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { DEFAULT_MIGRATIONS_DIR, migrate, MigrationError, MIGRATIONS_TABLE, readMigrationFiles } from '../../src/db/migrate.ts';
import { databaseUrlFor, testPostgresAdminUrl } from '../support/database.ts';

// Each test gets an empty database (not a migrated one: the migrator itself is under test).
const adminUrl = testPostgresAdminUrl();
const createdDatabases: string[] = [];
let scratchDir: string;

before(async () => {
  scratchDir = await mkdtemp(path.join(os.tmpdir(), 'morphsweep-migrations-'));
});

after(async () => {
  await withClient(adminUrl, async (admin) => {
    for (const name of createdDatabases) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  await rm(scratchDir, { recursive: true, force: true });
});

async function emptyDatabase(): Promise<string> {
  const name = `morphsweep_migrate_${Math.random().toString(16).slice(2, 10)}`;
  createdDatabases.push(name);
  await withClient(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  return databaseUrlFor(adminUrl, name);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const tableNames = (url: string) =>
  withClient(url, async (client) => (await client.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).rows.map((row) => row.tablename));
const appliedRows = (url: string) =>
  withClient(url, async (client) => (await client.query<{ name: string; checksum: string }>(`SELECT "name", "checksum" FROM "${MIGRATIONS_TABLE}" ORDER BY "name"`)).rows);

async function migrationsDirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(scratchDir, 'set-'));
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

test('a fresh database gets every migration with its checksum; a second run applies nothing', async () => {
  const url = await emptyDatabase();
  const migrationFiles = await readMigrationFiles();
  assert.ok(migrationFiles.length >= 1);

  const first = await migrate(url);
  assert.deepEqual(first.applied, migrationFiles.map((file) => file.name));
  assert.deepEqual(await appliedRows(url), migrationFiles.map(({ name, checksum }) => ({ name, checksum })));
  assert.deepEqual(await tableNames(url), ['ApiToken', 'Checkpoint', 'CurvePoint', 'Evidence', 'Retrain', 'RetrainCheckpoint', 'RetrainExport', 'Run', 'Sweep', 'UserModel', MIGRATIONS_TABLE].sort());

  const second = await migrate(url);
  assert.deepEqual(second.applied, []);
  assert.equal((await appliedRows(url)).length, migrationFiles.length);
});

test('concurrent migrate calls (workers starting together) apply each migration exactly once', async () => {
  const url = await emptyDatabase();
  const dir = await migrationsDirWith({
    '20260101000000_first': 'CREATE TABLE "Counter" ("id" INT PRIMARY KEY, "hits" INT NOT NULL);',
    // Not idempotent on purpose: a second application would fail on the duplicate key.
    '20260101000001_second': 'INSERT INTO "Counter" VALUES (1, 0); SELECT pg_sleep(0.2);',
    '20260101000002_third': 'UPDATE "Counter" SET "hits" = "hits" + 1;',
  });
  const results = await Promise.all(Array.from({ length: 6 }, () => migrate(url, { migrationsDir: dir })));
  const appliedNames = results.flatMap((result) => result.applied).sort();
  assert.deepEqual(appliedNames, ['20260101000000_first', '20260101000001_second', '20260101000002_third']);
  const hits = await withClient(url, async (client) => (await client.query('SELECT "hits" FROM "Counter"')).rows);
  assert.deepEqual(hits, [{ hits: 1 }]);
});

test('a failing migration leaves nothing half-applied and names the file and line; fixing it and re-running works', async () => {
  const url = await emptyDatabase();
  const dir = await migrationsDirWith({
    '20260101000000_good': 'CREATE TABLE "Kept" ("id" INT PRIMARY KEY);',
    '20260101000001_broken': 'CREATE TABLE "HalfDone" ("id" INT PRIMARY KEY);\nINSERT INTO "Kept" VALUES (1);\nSELECT * FROM "Missing";\n',
  });
  await assert.rejects(migrate(url, { migrationsDir: dir }), (error: Error) => {
    assert.ok(error instanceof MigrationError);
    assert.equal(error.code, 'failed');
    assert.match(error.message, /Migration 20260101000001_broken failed at .*20260101000001_broken\/migration\.sql:3: relation "Missing" does not exist/);
    assert.match(error.message, /Nothing of it was applied/);
    return true;
  });
  assert.deepEqual(await tableNames(url), ['Kept', MIGRATIONS_TABLE].sort());
  assert.deepEqual((await appliedRows(url)).map((row) => row.name), ['20260101000000_good']);
  assert.deepEqual(await withClient(url, async (client) => (await client.query('SELECT count(*)::int AS n FROM "Kept"')).rows), [{ n: 0 }]);

  await writeFile(path.join(dir, '20260101000001_broken', 'migration.sql'), 'CREATE TABLE "HalfDone" ("id" INT PRIMARY KEY);\n');
  assert.deepEqual((await migrate(url, { migrationsDir: dir })).applied, ['20260101000001_broken']);
  assert.deepEqual(await tableNames(url), ['HalfDone', 'Kept', MIGRATIONS_TABLE].sort());
});

test('a migration changed after it was applied is refused with a clear error, and nothing else is applied', async () => {
  const url = await emptyDatabase();
  const dir = await mkdtemp(path.join(scratchDir, 'copy-'));
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  await migrate(url, { migrationsDir: dir });
  const [initial] = await readMigrationFiles(dir);
  await appendFile(initial.filePath, '\n-- an innocent-looking edit\n');
  await mkdir(path.join(dir, '29990101000000_later'));
  await writeFile(path.join(dir, '29990101000000_later', 'migration.sql'), 'CREATE TABLE "Later" ("id" INT);');

  await assert.rejects(migrate(url, { migrationsDir: dir }), (error: Error) => {
    assert.ok(error instanceof MigrationError);
    assert.equal(error.code, 'checksum-mismatch');
    assert.match(error.message, new RegExp(`Migration ${initial.name} was changed after it was applied`));
    assert.match(error.message, /put the change in a new migration folder/);
    return true;
  });
  assert.ok(!(await tableNames(url)).includes('Later'));
});

test('a database migrated by a newer version (unknown applied migration) is refused', async () => {
  const url = await emptyDatabase();
  const dir = await migrationsDirWith({ '20260101000000_only': 'CREATE TABLE "A" ("id" INT);', '20260101000001_newer': 'CREATE TABLE "B" ("id" INT);' });
  await migrate(url, { migrationsDir: dir });
  await rm(path.join(dir, '20260101000001_newer'), { recursive: true });
  await assert.rejects(migrate(url, { migrationsDir: dir }), (error: Error) => error instanceof MigrationError && error.code === 'unknown-applied' && error.message.includes('20260101000001_newer'));
});
