import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The production build of the web app, shared by the API and browser tests: built at most once per
 * source state (a hash of web/ plus every file the app imports from outside it), under a lock so
 * parallel test files wait for one build instead of racing. Servers run in child processes so each
 * test file can give its own environment (database, auth policy, task queue).
 */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEB_DIR = path.join(REPO_ROOT, 'web');
/**
 * Test builds live apart from the developer's web/.next, one folder per source hash, so a build for
 * newer sources never replaces files under a server still running from an older one.
 * next.config.ts and startWebServer read the folder from MORPHSWEEP_NEXT_DIST_DIR.
 */
const TEST_BUILDS_DIR = '.next-test';
const TEST_BUILDS_PATH = path.join(WEB_DIR, TEST_BUILDS_DIR);
/** Older builds are deleted once no test run can still be serving them. */
const OLD_BUILD_AGE_MS = 30 * 60_000;
const LOCK_DIR = path.join(REPO_ROOT, '.morphsweep', 'web-build.lock');
/** A lock older than this belongs to a build that died; a cold build takes about a minute here. */
const STALE_LOCK_MS = 10 * 60_000;
const BUILD_TIMEOUT_MS = 8 * 60_000;
const SERVER_START_TIMEOUT_MS = 60_000;

const IMPORT_PATTERN = /(?:from\s*|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.css', '.json'];
const IGNORED_WEB_ENTRIES = new Set(['.next', TEST_BUILDS_DIR, 'node_modules', 'next-env.d.ts']);

async function webFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (IGNORED_WEB_ENTRIES.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await webFiles(full)));
    else files.push(full);
  }
  return files;
}

function isFile(candidate: string): boolean {
  try {
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
}

function resolveImport(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  return [base, ...SOURCE_EXTENSIONS.map((ext) => base + ext), path.join(base, 'index.ts')].find(isFile);
}

/** Every file the build reads from the repository: web/ and the closure of its relative imports. */
async function buildInputs(): Promise<string[]> {
  const pending = await webFiles(WEB_DIR);
  const seen = new Set<string>([path.join(REPO_ROOT, 'package.json'), path.join(REPO_ROOT, 'prisma', 'schema.prisma')]);
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.(ts|tsx|mjs|js)$/.test(file)) continue;
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const resolved = resolveImport(file, match[1]);
      if (resolved && !seen.has(resolved)) pending.push(resolved);
    }
  }
  return [...seen].filter((file) => existsSync(file)).sort();
}

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await buildInputs()) {
    hash.update(path.relative(REPO_ROOT, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

function distDirFor(hash: string): string {
  return `${TEST_BUILDS_DIR}/${hash.slice(0, 16)}`;
}

async function removeOldBuilds(keep: string): Promise<void> {
  const entries = await readdir(TEST_BUILDS_PATH, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(TEST_BUILDS_PATH, entry.name);
    if (!entry.isDirectory() || full === keep) continue;
    const ageMs = Date.now() - (await stat(full)).mtimeMs;
    if (ageMs > OLD_BUILD_AGE_MS) await rm(full, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock left by a process that died (killed test run) must not block the next run. */
async function isStaleLock(): Promise<boolean> {
  const ownerPid = Number(await readFile(path.join(LOCK_DIR, 'pid'), 'utf8').catch(() => ''));
  if (ownerPid > 0) return !isAlive(ownerPid);
  const lockAgeMs = Date.now() - (await stat(LOCK_DIR).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
  return lockAgeMs > STALE_LOCK_MS;
}

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(LOCK_DIR), { recursive: true });
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(path.join(LOCK_DIR, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStaleLock()) await rm(LOCK_DIR, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

function runBuild(distDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules/next/dist/bin/next'), 'build', WEB_DIR], {
      cwd: REPO_ROOT,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', MORPHSWEEP_NEXT_DIST_DIR: distDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`next build web failed (${signal ?? `exit ${code}`}):\n${output.join('').slice(-6000)}`));
    });
  });
}

type BuildResult = { distDir: string; built: boolean; seconds: number };

async function buildUnlessCurrent(): Promise<BuildResult> {
  const startedMs = performance.now();
  return withBuildLock(async () => {
    const distDir = distDirFor(await sourceHash());
    const distPath = path.join(WEB_DIR, distDir);
    const seconds = () => (performance.now() - startedMs) / 1000;
    if (existsSync(path.join(distPath, 'BUILD_ID'))) return { distDir, built: false, seconds: seconds() };
    await rm(distPath, { recursive: true, force: true });
    await runBuild(distDir);
    await removeOldBuilds(distPath);
    return { distDir, built: true, seconds: seconds() };
  });
}

let buildOfThisProcess: Promise<BuildResult> | undefined;

/**
 * Builds web/ unless a build of the same sources exists; returns its dist dir (relative to web/).
 * Decided once per process: every server a test file starts serves the same build, even when
 * someone edits the sources meanwhile.
 */
export function ensureWebAppBuilt(): Promise<BuildResult> {
  buildOfThisProcess ??= buildUnlessCurrent();
  buildOfThisProcess.catch(() => (buildOfThisProcess = undefined));
  return buildOfThisProcess;
}

export interface WebAppOptions {
  databaseUrl: string;
  /** Extra environment for the server: TEMPORAL_ADDRESS, MORPHSWEEP_TASK_QUEUE, MORPHSWEEP_AUTH, ... */
  env?: Record<string, string>;
  hostname?: string;
}

export interface RunningWebApp {
  url: string;
  /** The build it serves, relative to web/ (for tests that inspect the bundle). */
  distDir: string;
  /** Everything the server printed, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const START_SCRIPT = `
import { startWebServer } from './web/lib/server/start.ts';
const server = await startWebServer({ port: 0, hostname: process.env.WEB_APP_TEST_HOST });
process.stdout.write('WEB_APP_URL ' + server.url + '\\n');
const stop = () => server.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// A test process that dies without stopping its server must not leave the server behind.
const parentPid = process.ppid;
setInterval(() => { if (process.ppid !== parentPid) stop(); }, 1000).unref();
`;

/** Builds if needed, then starts the app on a free port through startWebServer in a child process. */
export async function startWebApp(options: WebAppOptions): Promise<RunningWebApp> {
  const { distDir } = await ensureWebAppBuilt();
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', START_SCRIPT], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      MORPHSWEEP_NEXT_DIST_DIR: distDir,
      ...options.env,
      DATABASE_URL: options.databaseUrl,
      WEB_APP_TEST_HOST: options.hostname ?? '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web app did not start in ${SERVER_START_TIMEOUT_MS / 1000} s:\n${output.join('')}`)), SERVER_START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      const match = /WEB_APP_URL (\S+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web app exited (code ${code}) before it listened:\n${output.join('')}`));
    });
  });
  return {
    url,
    distDir,
    logs: () => output.join(''),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
