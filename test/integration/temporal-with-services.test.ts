/** The test harness itself: test/support/with-services.ts must start, expose, forward and tear down. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

function runWithServices(childScript: string, env: Record<string, string>, onStdout?: (text: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/with-services.ts', '--', process.execPath, '-e', childScript], {
    cwd: repositoryRoot,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    onStdout?.(stdout, child);
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const accepts = (hostPort: string) =>
  new Promise<boolean>((resolve) => {
    const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))];
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

test('missing PostgreSQL binaries or temporal CLI fail the run with what to do, and the command never runs', async () => {
  const result = await runWithServices('console.log("COMMAND RAN")', { MORPHSWEEP_PG_BIN_DIR: '/nonexistent/pg/bin', TEMPORAL_CLI_PATH: '/nonexistent/temporal' });
  assert.equal(result.code, 1);
  assert.ok(!result.stdout.includes('COMMAND RAN'));
  assert.match(result.stderr, /PostgreSQL 15 server binaries are missing .*npm run setup/);
  assert.match(result.stderr, /TEMPORAL_CLI_PATH=\/nonexistent\/temporal is not an executable file.*npm run setup/);
});

test('the command sees both services, gets forwarded signals, its exit code is returned, and both services are gone after', async () => {
  // The child reports the addresses it was given, then waits for a signal to exit with a code of its own.
  // Its handler goes in first: on a busy machine the signal can arrive before the line after the report runs.
  const childScript = `
    process.on('SIGTERM', () => { console.log('CHILD GOT SIGTERM'); process.exit(7); });
    console.log('SERVICES ' + JSON.stringify({ pg: process.env.MORPHSWEEP_TEST_PG_URL, temporal: process.env.TEMPORAL_ADDRESS, ns: process.env.TEMPORAL_NAMESPACE, db: process.env.DATABASE_URL ?? null }));
    setInterval(() => {}, 1000);`;
  let services: { pg: string; temporal: string; ns: string; db: string | null } | undefined;
  let reachableWhileRunning: boolean[] = [];
  const result = await runWithServices(childScript, { DATABASE_URL: 'postgresql://must-not-leak/x' }, (stdout, child) => {
    const line = /^SERVICES (.*)$/m.exec(stdout);
    if (line && !services) {
      services = JSON.parse(line[1]);
      void Promise.all([accepts(new URL(services!.pg).host), accepts(services!.temporal)]).then((reachable) => {
        reachableWhileRunning = reachable;
        child.kill('SIGTERM');
      });
    }
  });
  assert.ok(services, `child never reported; stderr: ${result.stderr}`);
  assert.match(services.pg, /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  assert.equal(services.ns, 'default');
  assert.equal(services.db, null, 'an inherited DATABASE_URL is not passed to tests');
  assert.deepEqual(reachableWhileRunning, [true, true]);
  assert.match(result.stdout, /CHILD GOT SIGTERM/);
  assert.equal(result.code, 7);
  assert.match(result.stderr, /services ready in [\d.]+ s/);
  assert.deepEqual(await Promise.all([accepts(new URL(services.pg).host), accepts(services.temporal)]), [false, false]);
});
