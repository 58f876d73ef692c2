import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { DatabaseUnavailableError, resolveDatabase } from '../../src/db/resolve-database.ts';
import { databaseUrlFor, testPostgresAdminUrl } from '../support/database.ts';
import { freePort } from '../support/postgres-cluster.ts';

const adminUrl = testPostgresAdminUrl();
const databaseName = `morphsweep_resolve_${Math.random().toString(16).slice(2, 10)}`;
const unusedDataDir = '/nonexistent/never-created'; // proves the embedded path is not taken

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

after(async () => {
  await admin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
});

test('DATABASE_URL is used when set, and resolveDatabase migrates it before handing out a client', async () => {
  await admin(`CREATE DATABASE "${databaseName}"`);
  const url = databaseUrlFor(adminUrl, databaseName);
  const database = await resolveDatabase({ dataDir: unusedDataDir, env: { DATABASE_URL: url } });
  try {
    assert.equal(database.embedded, false);
    assert.equal(database.url, url);
    assert.equal(await database.prisma.sweep.count(), 0);
  } finally {
    await database.stop();
  }
});

test('a broken DATABASE_URL gives one clear error: what failed, the URL without its password, what to check', async () => {
  const closedPort = await freePort();
  const cases = [
    { url: `postgresql://morph:s3cret@127.0.0.1:${closedPort}/morphsweep`, reason: /ECONNREFUSED/ },
    { url: databaseUrlFor(adminUrl, 'no_such_database'), reason: /database "no_such_database" does not exist/ },
    { url: 'mysql://root@localhost/morphsweep', reason: /is not a PostgreSQL URL/ },
  ];
  for (const { url, reason } of cases) {
    await assert.rejects(resolveDatabase({ dataDir: unusedDataDir, env: { DATABASE_URL: url } }), (error: Error) => {
      assert.ok(error instanceof DatabaseUnavailableError, `${url}: got ${error.name}: ${error.message}`);
      assert.match(error.message, reason);
      assert.match(error.message, /DATABASE_URL=/);
      assert.match(error.message, /unset DATABASE_URL to use the embedded database/);
      assert.ok(!error.message.includes('s3cret'), 'the password is never printed');
      return true;
    });
  }
});
