import pg from 'pg';
import { createPrismaClient, type PrismaClient } from './client.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { migrate } from './migrate.ts';

export interface ResolvedDatabase {
  url: string;
  prisma: PrismaClient;
  /** true when we serve the embedded PGlite database for this process. */
  embedded: boolean;
  /** Disconnects Prisma and stops the embedded server we started. */
  stop(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * DATABASE_URL when set, else the embedded database in `dataDir`; either way migrated to the latest
 * schema before anything uses it, so every entry point (CLI, worker, web) sees the same tables.
 */
export async function resolveDatabase(options: { dataDir: string; env?: Readonly<Record<string, string | undefined>> }): Promise<ResolvedDatabase> {
  const databaseUrl = (options.env ?? process.env).DATABASE_URL?.trim();
  if (databaseUrl) {
    await checkReachable(databaseUrl);
    await migrate(databaseUrl);
    const prisma = createPrismaClient(databaseUrl);
    return { url: databaseUrl, prisma, embedded: false, stop: () => prisma.$disconnect() };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: options.dataDir });
  try {
    await migrate(embedded.url);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  const prisma = createPrismaClient(embedded.url);
  return {
    url: embedded.url,
    prisma,
    embedded: true,
    stop: async () => {
      await prisma.$disconnect();
      await embedded.stop();
    },
  };
}

/** One round trip, so a wrong host, password or database name fails here with one clear message. */
async function checkReachable(databaseUrl: string): Promise<void> {
  const shownUrl = redactPassword(databaseUrl);
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new DatabaseUnavailableError(`DATABASE_URL=${shownUrl} is not a PostgreSQL URL; use postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or unset DATABASE_URL to use the embedded database.`);
  }
  let client: pg.Client | undefined;
  try {
    client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    client.on('error', () => {});
    await client.connect();
    await client.query('SELECT 1');
  } catch (cause) {
    const reason = (cause as Error).message || (cause as { code?: string }).code || String(cause);
    throw new DatabaseUnavailableError(
      `Cannot connect to the database at DATABASE_URL=${shownUrl}: ${reason}. Check that the server is running and reachable from here, the user, password and database name, or unset DATABASE_URL to use the embedded database.`,
      { cause },
    );
  } finally {
    await client?.end().catch(() => {});
  }
}

export function redactPassword(databaseUrl: string): string {
  try {
    const parsed = new URL(databaseUrl);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}
