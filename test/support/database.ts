import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPrismaClient, type PrismaClient } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.ts';
import { requireServiceVariable, TEST_PG_URL_VARIABLE } from './services-env.ts';

export type { PostgresCluster };

export interface TestDatabase {
  /** URL of a fresh, migrated database that only this test file uses. */
  url: string;
  prisma: PrismaClient;
  /** Disconnects and drops the database (also when other connections to it are still open). */
  drop(): Promise<void>;
}

/** The shared cluster's admin URL (from with-services). */
export function testPostgresAdminUrl(): string {
  return requireServiceVariable(TEST_PG_URL_VARIABLE);
}

/**
 * A fresh database in the shared test cluster (or in `adminUrl`'s cluster), migrated to the latest
 * schema. Test files run in parallel, so each gets its own database rather than sharing one.
 */
export async function createTestDatabase(options: { adminUrl?: string } = {}): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? testPostgresAdminUrl();
  const databaseName = `morphsweep_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, (admin) => admin.query(`CREATE DATABASE "${databaseName}"`));
  const url = databaseUrlFor(adminUrl, databaseName);
  await migrate(url);
  const prisma = createPrismaClient(url);
  return {
    url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await withAdminClient(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`));
    },
  };
}

/**
 * A PostgreSQL cluster of the test's own, for tests that stop or restart the server: restarting the
 * shared cluster would cut the connections of every other test file running at the same time.
 * `cluster.restart({ downMs })` stops it, waits, and starts it again on the same port.
 */
export function startPrivatePostgres(): Promise<PostgresCluster> {
  return startPostgresCluster();
}

export function databaseUrlFor(adminUrl: string, databaseName: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

async function withAdminClient<T>(adminUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => {});
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end().catch(() => {});
  }
}
