import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
  const releaseLock = await lockDataDir(options.dataDir);
  let db: PGlite;
  try {
    await mkdir(options.dataDir, { recursive: true });
    db = await PGlite.create({ dataDir: options.dataDir });
  } catch (cause) {
    await releaseLock();
    throw new EmbeddedPostgresError(`Cannot open the embedded database in ${options.dataDir}: ${(cause as Error).message}. Check the folder is writable, or set DATABASE_URL to use a PostgreSQL server.`, { cause });
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: MAX_CONNECTIONS });
  try {
    await server.start();
  } catch (cause) {
    await db.close().catch(() => {});
    await releaseLock();
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
        await releaseLock();
      })()),
  };
}

/**
 * Two processes opening one PGlite directory would corrupt it, so the directory is claimed by a lock
 * file beside it (not inside: PGlite expects to own the folder). A lock left by a dead process is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${path.resolve(dataDir)}.lock`;
  await mkdir(path.dirname(lockPath), { recursive: true });
  for (;;) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: 'wx' });
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const ownerPid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (ownerPid === process.pid) {
      throw new EmbeddedPostgresError(`The embedded database ${dataDir} is already open in this process; reuse its URL instead of starting it twice.`);
    }
    if (isRunning(ownerPid)) {
      throw new EmbeddedPostgresError(`The embedded database ${dataDir} is in use by process ${ownerPid} (lock file ${lockPath}). Stop that MorphSweep process, or give this one another data directory or a DATABASE_URL.`);
    }
    await rm(lockPath, { force: true }); // left by a process that died without stopping
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
