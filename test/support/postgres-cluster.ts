import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A private, throwaway PostgreSQL 15 cluster for tests: initdb into a temp folder, listen on a free
 * port on 127.0.0.1, durability switched off for speed. Postgres refuses to run as root, so as root
 * every server command runs as the `postgres` OS user.
 */

const execFileAsync = promisify(execFile);
const DEFAULT_BIN_DIR = '/usr/lib/postgresql/15/bin';
const START_TIMEOUT_S = 60;

export interface PostgresCluster {
  /** Superuser URL of the cluster's `postgres` database. */
  adminUrl: string;
  port: number;
  /** Stops the server, waits `downMs`, starts it again on the same port (connections are cut). */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the server and deletes its files. */
  stop(): Promise<void>;
}

export function postgresBinDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const binDir = env.MORPHSWEEP_PG_BIN_DIR ?? DEFAULT_BIN_DIR;
  for (const tool of ['initdb', 'pg_ctl', 'postgres']) {
    try {
      accessSync(path.join(binDir, tool), constants.X_OK);
    } catch {
      throw new Error(`PostgreSQL 15 server binaries are missing (${path.join(binDir, tool)}); the tests need a real server. Run \`npm run setup\` (installs the Debian package postgresql) or set MORPHSWEEP_PG_BIN_DIR to the folder holding initdb and pg_ctl.`);
    }
  }
  return binDir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const binDir = postgresBinDir();
  const isRoot = process.getuid?.() === 0;
  const rootDir = await mkdtemp(path.join(os.tmpdir(), 'morphsweep-pg-'));
  const dataDir = path.join(rootDir, 'data');
  const logFile = path.join(rootDir, 'server.log');
  const run = async (tool: string, args: string[]) => {
    const command = isRoot ? 'runuser' : path.join(binDir, tool);
    const commandArgs = isRoot ? ['-u', 'postgres', '--', path.join(binDir, tool), ...args] : args;
    try {
      await execFileAsync(command, commandArgs, { timeout: START_TIMEOUT_S * 1000 });
    } catch (cause) {
      const { stderr, stdout } = cause as { stderr?: string; stdout?: string };
      throw new Error(`${tool} ${args.join(' ')} failed: ${(stderr || stdout || (cause as Error).message).trim()} (server log: ${logFile})`, { cause });
    }
  };

  try {
    if (isRoot) {
      const { stdout } = await execFileAsync('id', ['-u', 'postgres']).catch((cause) => {
        throw new Error('Running as root, but there is no `postgres` OS user to run the server as; run `npm run setup` (the Debian postgresql package creates it).', { cause });
      });
      const postgresUid = Number(stdout.trim());
      const { stdout: gidOut } = await execFileAsync('id', ['-g', 'postgres']);
      await chown(rootDir, postgresUid, Number(gidOut.trim()));
    }
    await run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  } catch (error) {
    await rm(rootDir, { recursive: true, force: true });
    throw error;
  }

  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${rootDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=300',
    // A test cluster is thrown away: durability costs time and buys nothing.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c shared_buffers=32MB',
  ].join(' ');
  const start = () => run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', String(START_TIMEOUT_S), '-o', serverOptions]);
  const stopServer = (mode: 'fast' | 'immediate') => run('pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w', '-t', String(START_TIMEOUT_S)]);
  try {
    await start();
  } catch (error) {
    await rm(rootDir, { recursive: true, force: true });
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    async restart({ downMs = 0 } = {}) {
      await stopServer('fast');
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    stop: () =>
      (stopping ??= (async () => {
        await stopServer('immediate').catch(() => {});
        await rm(rootDir, { recursive: true, force: true });
      })()),
  };
}
