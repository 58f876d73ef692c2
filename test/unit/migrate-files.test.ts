import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_MIGRATIONS_DIR, MigrationError, readMigrationFiles } from '../../src/db/migrate.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'morphsweep-migrate-files-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function folderWith(entries: Record<string, string | null>): Promise<string> {
  const folder = await mkdtemp(path.join(dir, 'set-'));
  for (const [name, sql] of Object.entries(entries)) {
    await mkdir(path.join(folder, name));
    if (sql !== null) await writeFile(path.join(folder, name, 'migration.sql'), sql);
  }
  return folder;
}

test('migrations are read in timestamp order with a sha256 of their bytes; loose files are ignored', async () => {
  const folder = await folderWith({ '20260102000000_b': 'SELECT 2;', '20260101000000_a': 'SELECT 1;' });
  await writeFile(path.join(folder, 'migration_lock.toml'), 'provider = "postgresql"');
  const files = await readMigrationFiles(folder);
  assert.deepEqual(files.map((file) => file.name), ['20260101000000_a', '20260102000000_b']);
  assert.equal(files[0].sql, 'SELECT 1;');
  assert.equal(files[0].checksum, createHash('sha256').update('SELECT 1;').digest('hex'));
});

test('the repository ships its initial migration', async () => {
  const files = await readMigrationFiles(DEFAULT_MIGRATIONS_DIR);
  assert.ok(files.length >= 1);
  assert.match(files[0].name, /^\d{14}_init$/);
  assert.equal(files[0].sql, await readFile(files[0].filePath, 'utf8'));
});

test('badly named folders, folders without SQL and a missing folder are clear errors', async () => {
  await assert.rejects(readMigrationFiles(await folderWith({ 'add-users': 'SELECT 1;' })), (error: Error) => error instanceof MigrationError && /"add-users".*rename it/.test(error.message));
  await assert.rejects(readMigrationFiles(await folderWith({ '20260101000000_empty': null })), (error: Error) => error instanceof MigrationError && /has no readable .*migration\.sql/.test(error.message));
  await assert.rejects(readMigrationFiles(path.join(dir, 'nowhere')), (error: Error) => error instanceof MigrationError && error.code === 'invalid-migrations-dir');
});
