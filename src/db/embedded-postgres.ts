import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The demo's database when no DATABASE_URL is given: PGlite (Postgres compiled to wasm) keeping its
 * files in a data directory, served over TCP by pglite-socket so Prisma and `pg` use it unchanged.
 * PGlite is one Postgres session: the socket server queues every query and, while one connection is
 * inside a transaction, holds the others' queries until it ends. Fine for a demo; use a real
 * PostgreSQL server (DATABASE_URL) for many workers.
 */

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one when omitted. */
  port?: number;
}

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

// Prisma's pool, the migrator and a few workers each hold connections at once.
const MAX_CONNECTIONS = 32;

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  let db: PGlite;
  try {
    await mkdir(options.dataDir, { recursive: true });
    db = await PGlite.create({ dataDir: options.dataDir });
  } catch (cause) {
    throw new EmbeddedPostgresError(`Cannot open the embedded database in ${options.dataDir}: ${(cause as Error).message}. Check the folder is writable and not used by another MorphSweep process, or set DATABASE_URL to use a PostgreSQL server.`, { cause });
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: MAX_CONNECTIONS });
  try {
    await server.start();
  } catch (cause) {
    await db.close().catch(() => {});
    throw new EmbeddedPostgresError(`The embedded database could not listen on 127.0.0.1:${options.port ?? 0}: ${(cause as Error).message}. Choose a free port or set DATABASE_URL.`, { cause });
  }
  const port = server.getServerConn().split(':').pop();
  let stopping: Promise<void> | undefined;
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop: () =>
      (stopping ??= (async () => {
        await server.stop();
        await db.close();
      })()),
  };
}
