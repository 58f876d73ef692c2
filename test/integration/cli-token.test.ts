import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { verifyApiToken } from '../../src/db/repositories/tokens.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const BIN_PATH = fileURLToPath(new URL('../../bin/morphsweep.mjs', import.meta.url));
let database: TestDatabase;

before(async () => {
  database = await createTestDatabase();
});

after(async () => {
  await database?.drop();
});

function morphsweep(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN_PATH, ...args], { env: { ...process.env, DATABASE_URL: database.url } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('token create prints a working secret once; list never shows it; revoke disables it', async () => {
  const created = await morphsweep('token', 'create', 'notebook', '--json');
  assert.equal(created.code, 0, created.stderr);
  const { id, secret } = JSON.parse(created.stdout) as { id: string; secret: string };
  assert.deepEqual(await verifyApiToken(database.prisma, secret), { id, name: 'notebook' });

  const listed = await morphsweep('token', 'list');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`${id}\\s+notebook`));
  assert.ok(!listed.stdout.includes(secret), 'the secret is never listed');

  const revoked = await morphsweep('token', 'revoke', 'notebook', '--json');
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.deepEqual(JSON.parse(revoked.stdout), { revoked: [id] });
  assert.equal(await verifyApiToken(database.prisma, secret), null);

  const again = await morphsweep('token', 'revoke', 'notebook');
  assert.equal(again.code, 2, 'revoking an unknown or already revoked token is a usage error');
  assert.match(again.stderr, /^error: .*notebook/);
});

test('serve refuses a bad port with a usage error', async () => {
  const result = await morphsweep('serve', '--port', '70000');
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--port must be an integer from 0 to 65535/);
});
