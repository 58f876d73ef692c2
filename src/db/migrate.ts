import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Our own migrator: Prisma's CLI cannot fetch its schema engine here (docs/migrations.md says what
 * was tried), so the SQL in
 * prisma/migrations/<timestamp>_<name>/migration.sql is applied with plain `pg`.
 * Each migration runs in its own transaction together with its bookkeeping row, so a failure leaves
 * nothing of it behind; a transaction-scoped advisory lock plus a re-check inside the transaction
 * makes concurrent callers (many workers starting at once) apply each migration exactly once, also on
 * the embedded PGlite server where all connections share one session.
 */

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations/', import.meta.url));
export const MIGRATIONS_TABLE = '_morphsweep_migrations';

// Arbitrary but fixed: every MorphSweep process must agree on it.
const MIGRATION_LOCK_KEY = 4_711_202_611;
const CONNECT_TIMEOUT_MS = 10_000;
const MIGRATION_DIR_PATTERN = /^\d{14}_[a-z0-9_]+$/;

export type MigrationErrorCode = 'invalid-migrations-dir' | 'checksum-mismatch' | 'unknown-applied' | 'failed';

export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface MigrationFile {
  name: string;
  filePath: string;
  sql: string;
  checksum: string; // sha256 hex of the file's bytes
}

export interface MigrateOptions {
  migrationsDir?: string;
}

export async function readMigrationFiles(migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (cause) {
    throw new MigrationError('invalid-migrations-dir', `Cannot read the migrations folder ${migrationsDir}: ${(cause as Error).message}. Run MorphSweep from a complete checkout.`, { cause });
  }
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    if (!MIGRATION_DIR_PATTERN.test(name)) {
      throw new MigrationError('invalid-migrations-dir', `Migration folder "${name}" in ${migrationsDir} is not named <14-digit timestamp>_<lowercase_name>; rename it so the order of migrations is unambiguous.`);
    }
    const filePath = path.join(migrationsDir, name, 'migration.sql');
    let bytes: Buffer;
    try {
      bytes = await readFile(filePath);
    } catch (cause) {
      throw new MigrationError('invalid-migrations-dir', `Migration ${name} has no readable ${filePath}; add the SQL file or remove the folder.`, { cause });
    }
    files.push({ name, filePath, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') });
  }
  return files;
}

/** Applies every pending migration; returns the names it applied itself (empty when up to date). */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const migrations = await readMigrationFiles(options.migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // Without a listener a server-side disconnect would crash the process instead of failing the query.
  client.on('error', () => {});
  await client.connect();
  try {
    await ensureMigrationsTable(client);
    const appliedChecksums = await readAppliedChecksums(client);
    checkAppliedAgainstFiles(appliedChecksums, migrations);
    const applied: string[] = [];
    for (const migration of migrations) {
      if (appliedChecksums.has(migration.name)) continue;
      if (await applyMigration(client, migration)) applied.push(migration.name);
    }
    return { applied };
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureMigrationsTable(client: pg.Client): Promise<void> {
  await inTransaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (
      "name" TEXT PRIMARY KEY,
      "checksum" TEXT NOT NULL,
      "appliedAt" TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  });
}

async function readAppliedChecksums(client: pg.Client): Promise<Map<string, string>> {
  const result = await client.query<{ name: string; checksum: string }>(`SELECT "name", "checksum" FROM "${MIGRATIONS_TABLE}"`);
  return new Map(result.rows.map((row) => [row.name, row.checksum]));
}

function checkAppliedAgainstFiles(appliedChecksums: Map<string, string>, migrations: MigrationFile[]): void {
  const byName = new Map(migrations.map((migration) => [migration.name, migration]));
  for (const [name, checksum] of appliedChecksums) {
    const migration = byName.get(name);
    if (!migration) {
      throw new MigrationError('unknown-applied', `The database has migration ${name} applied, but this checkout has no such folder. It was migrated by a newer MorphSweep; run that version, or point DATABASE_URL at another database.`);
    }
    assertSameChecksum(migration, checksum);
  }
}

function assertSameChecksum(migration: MigrationFile, appliedChecksum: string): void {
  if (migration.checksum !== appliedChecksum) {
    throw new MigrationError('checksum-mismatch', `Migration ${migration.name} was changed after it was applied (sha256 ${appliedChecksum.slice(0, 12)}… in the database, ${migration.checksum.slice(0, 12)}… in ${migration.filePath}). Applied migrations are immutable: restore the file and put the change in a new migration folder.`);
  }
}

/** Returns false when a concurrent caller applied it first. */
async function applyMigration(client: pg.Client, migration: MigrationFile): Promise<boolean> {
  return inTransaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const existing = await client.query<{ checksum: string }>(`SELECT "checksum" FROM "${MIGRATIONS_TABLE}" WHERE "name" = $1`, [migration.name]);
    if (existing.rows[0]) {
      assertSameChecksum(migration, existing.rows[0].checksum);
      return false;
    }
    try {
      await client.query(migration.sql);
    } catch (cause) {
      throw failedMigrationError(migration, cause);
    }
    await client.query(`INSERT INTO "${MIGRATIONS_TABLE}" ("name", "checksum") VALUES ($1, $2)`, [migration.name, migration.checksum]);
    return true;
  });
}

function failedMigrationError(migration: MigrationFile, cause: unknown): MigrationError {
  const pgError = cause as Partial<pg.DatabaseError>;
  const offset = Number(pgError.position);
  const location = Number.isFinite(offset) && offset > 0 ? `:${migration.sql.slice(0, offset - 1).split('\n').length}` : '';
  return new MigrationError('failed', `Migration ${migration.name} failed at ${migration.filePath}${location}: ${pgError.message ?? String(cause)}. Nothing of it was applied (rolled back); fix the SQL and run again.`, { cause });
}

async function inTransaction<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
