import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { z } from 'zod';
import * as wire from '../../src/client/wire.ts';
import { toMorphNetFormat, type StructureJson } from '../../src/morphnet/structure.ts';
import { createApiToken, revokeApiToken } from '../../src/db/repositories/tokens.ts';
import { authPolicy } from '../../web/lib/server/auth-policy.ts';
import { startWebServer } from '../../web/lib/server/start.ts';
import { createTestDatabase, databaseUrlFor, testPostgresAdminUrl, type TestDatabase } from '../support/database.ts';
import { testTemporal, uniqueTaskQueue } from '../support/temporal.ts';
import { startWebApp, type RunningWebApp } from '../support/web-app.ts';
import {
  bruteForceFront,
  insertCompletedRuns,
  insertSweep,
  sampleStructure,
  validSweepConfig,
  type InsertedSweep,
} from './api-fixtures.ts';

/**
 * The HTTP API against the real production build, a real PostgreSQL database and the real Temporal
 * dev server. No worker polls this file's task queue: sweeps started here stay queued, which is all
 * that validation, idempotency, auth and read-side tests need (the flow test trains for real).
 */

let db: TestDatabase;
let app: RunningWebApp;
let token: string;
let temporal: { client: Client; connection: Connection };
const startedSweepIds: string[] = [];

interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function api(
  path: string,
  options: { method?: string; body?: unknown; rawBody?: string; token?: string | null; headers?: Record<string, string>; baseUrl?: string } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  const bearer = options.token === undefined ? token : options.token;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${options.baseUrl ?? app.url}${path}`, { method: options.method ?? 'GET', headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** The answer is an error envelope with this status and code, and leaks no stack trace. */
function assertError(answer: ApiAnswer, status: number, code: string): { code: string; message: string; details?: any } {
  assert.equal(answer.status, status, `expected ${status} ${code}, got ${answer.status}: ${answer.text}`);
  const envelope = wire.ErrorEnvelopeSchema.strict().parse(answer.body);
  assert.equal(envelope.error.code, code);
  assert.ok(envelope.error.message.length > 10, 'the message says what to do');
  assert.doesNotMatch(answer.text, /\bat .+:\d+:\d+/, 'no stack frames in the body');
  return envelope.error as { code: string; message: string; details?: any };
}

function parseAs<S extends z.ZodType>(schema: S, answer: ApiAnswer, status = 200): z.output<S> {
  assert.equal(answer.status, status, answer.text);
  return schema.parse(answer.body);
}

before(async () => {
  db = await createTestDatabase();
  token = (await createApiToken(db.prisma, 'api-http-test')).secret;
  const { address, namespace } = testTemporal();
  app = await startWebApp({
    databaseUrl: db.url,
    env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, MORPHSWEEP_TASK_QUEUE: uniqueTaskQueue('api-http') },
  });
  const connection = await Connection.connect({ address });
  temporal = { connection, client: new Client({ connection, namespace }) };
});

after(async () => {
  // Nothing polls this file's queue: end the workflows it started so the shared server is left clean.
  await Promise.allSettled(startedSweepIds.map((id) => temporal?.client.workflow.getHandle(id).terminate('api test finished')));
  await temporal?.connection.close();
  await app?.stop();
  await db?.drop();
});

describe('authentication', () => {
  test('health and the OpenAPI document need no token', async () => {
    const health = parseAs(wire.HealthSchema, await api('/api/health', { token: null }));
    assert.equal(health.authRequired, true);
    const document = await api('/api/openapi.json', { token: null });
    assert.equal(document.status, 200);
    assert.equal(document.body.openapi, '3.1.0');
    for (const path of [
      '/api/sweeps',
      '/api/sweeps/{id}',
      '/api/sweeps/{id}/cancel',
      '/api/sweeps/{id}/front',
      '/api/sweeps/{id}/events',
      '/api/runs/{id}',
      '/api/runs/{id}/structure',
      '/api/runs/{id}/retrain',
      '/api/retrains/{id}',
    ]) {
      assert.ok(document.body.paths[path], `OpenAPI lists ${path}`);
    }
    assert.ok(document.body.components.schemas.SweepConfig.properties.regularizer, 'request schema generated from zod');
  });

  test('a missing, malformed, unknown or revoked token gets 401', async () => {
    const missing = assertError(await api('/api/sweeps', { token: null }), 401, 'unauthorized');
    assert.match(missing.message, /morphsweep token create/);
    assert.equal((await api('/api/sweeps', { token: null })).headers.get('www-authenticate'), 'Bearer realm="morphsweep"');
    assertError(await api('/api/sweeps', { token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'unauthorized');
    assertError(await api('/api/sweeps', { token: `${token}x` }), 401, 'unauthorized');

    const revocable = await createApiToken(db.prisma, 'soon-revoked');
    assert.equal((await api('/api/sweeps', { token: revocable.secret })).status, 200);
    assert.deepEqual(await revokeApiToken(db.prisma, 'soon-revoked'), [revocable.id]);
    assertError(await api('/api/sweeps', { token: revocable.secret }), 401, 'unauthorized');
    assertError(await api('/api/sweeps', { method: 'POST', token: revocable.secret, body: validSweepConfig() }), 401, 'unauthorized');
  });

  test('tokens are stored as sha256 hashes, never as the secret', async () => {
    assert.equal((await api('/api/sweeps')).status, 200);
    const rows = await db.prisma.apiToken.findMany();
    assert.ok(rows.length >= 2);
    for (const row of rows) {
      assert.match(row.tokenHash, /^[0-9a-f]{64}$/);
      assert.notEqual(row.tokenHash, token);
    }
    const used = await db.prisma.apiToken.findFirstOrThrow({ where: { name: 'api-http-test' } });
    assert.ok(used.lastUsedAt, 'lastUsedAt records use');
  });

  test('a browser session cookie from POST /api/session authenticates like the bearer header', async () => {
    assertError(await api('/api/session', { method: 'POST', token: null, body: { token: 'nope' } }), 401, 'unauthorized');
    const signIn = await api('/api/session', { method: 'POST', token: null, body: { token } });
    assert.equal(signIn.status, 204);
    const cookie = signIn.headers.get('set-cookie')!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const withCookie = await api('/api/sweeps', { token: null, headers: { cookie: cookie.split(';')[0] } });
    assert.equal(withCookie.status, 200);
  });

  test('tokens may be skipped only on a loopback bind with MORPHSWEEP_AUTH=off', async () => {
    assert.equal(authPolicy({ MORPHSWEEP_AUTH: 'off', MORPHSWEEP_BIND_HOST: '127.0.0.1' }).required, false);
    assert.equal(authPolicy({ MORPHSWEEP_AUTH: 'off', MORPHSWEEP_BIND_HOST: '::1' }).required, false);
    assert.equal(authPolicy({ MORPHSWEEP_AUTH: 'off', MORPHSWEEP_BIND_HOST: '0.0.0.0' }).required, true);
    assert.equal(authPolicy({ MORPHSWEEP_AUTH: 'off' }).required, true, 'unknown bind counts as exposed');
    assert.equal(authPolicy({ MORPHSWEEP_BIND_HOST: '127.0.0.1' }).required, true, 'required by default');

    const previous = process.env.MORPHSWEEP_AUTH;
    process.env.MORPHSWEEP_AUTH = 'off';
    try {
      await assert.rejects(startWebServer({ hostname: '0.0.0.0', port: 0 }), /only allowed on a loopback bind/);
    } finally {
      if (previous === undefined) delete process.env.MORPHSWEEP_AUTH;
      else process.env.MORPHSWEEP_AUTH = previous;
    }

    const open = await startWebApp({ databaseUrl: db.url, env: { MORPHSWEEP_AUTH: 'off' } });
    try {
      const health = parseAs(wire.HealthSchema, await api('/api/health', { token: null, baseUrl: open.url }));
      assert.equal(health.authRequired, false);
      assert.equal((await api('/api/sweeps', { token: null, baseUrl: open.url })).status, 200);
      // A page whose domain was re-pointed at 127.0.0.1 (DNS rebinding) names its own domain as Host.
      const port = new URL(open.url).port;
      const statusFor = (host: string) =>
        new Promise<number>((resolve, reject) => {
          http.get(`${open.url}/api/sweeps`, { headers: { host } }, (response) => resolve(response.resume().statusCode!)).on('error', reject);
        });
      assert.equal(await statusFor(`attacker.example:${port}`), 403);
      for (const loopback of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) assert.equal(await statusFor(loopback), 200, loopback);
    } finally {
      await open.stop();
    }
  });
});

describe('creating sweeps', () => {
  test('validation lists every invalid field at once (422)', async () => {
    const config = validSweepConfig() as any;
    config.name = '';
    config.network.name = 'vgg';
    config.thresholds = [-1];
    config.training.batchSize = 0;
    config.unknownField = 1;
    const error = assertError(await api('/api/sweeps', { method: 'POST', body: config }), 422, 'validation_failed');
    const paths = (error.details.problems as Array<{ path: string }>).map((p) => p.path).sort();
    for (const path of ['name', 'network.name', 'thresholds.0', 'training.batchSize']) {
      assert.ok(paths.includes(path), `problem listed for ${path}: ${paths.join(', ')}`);
    }
    assert.ok(error.details.problems.some((p: { message: string }) => /unknownField/.test(p.message)), 'unknown key reported');
    assert.equal(await db.prisma.sweep.count({ where: { name: '' } }), 0);
  });

  test('bodies that are not JSON, not declared JSON, or too large are refused', async () => {
    assertError(await api('/api/sweeps', { method: 'POST', rawBody: '{"name": ', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
    assertError(await api('/api/sweeps', { method: 'POST', rawBody: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
    // Found by the schemathesis fuzz run: PostgreSQL text cannot hold NUL, TRACE broke Next's handler.
    const nul = assertError(await api('/api/sweeps', { method: 'POST', body: validSweepConfig({ name: 'a\u0000b', dataset: '\u0000' }) }), 422, 'validation_failed');
    assert.deepEqual(nul.details.problems.map((p: { path: string }) => p.path).sort(), ['dataset', 'name']);
    assertError(await api('/api/sweeps/sw%00x'), 404, 'not_found');
    assertError(await api('/api/sweeps?tag=a%00'), 422, 'validation_failed');
    const trace = await new Promise<ApiAnswer>((resolve, reject) => {
      // fetch refuses to send TRACE, so this one goes through node:http.
      const request = http.request(`${app.url}/api/health`, { method: 'TRACE' }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, headers: new Headers(), text, body: JSON.parse(text) }));
      });
      request.on('error', reject);
      request.end();
    });
    assertError(trace, 405, 'method_not_allowed');
    const huge = validSweepConfig({ name: 'x'.repeat(100 * 1024) });
    const tooLarge = assertError(await api('/api/sweeps', { method: 'POST', body: huge }), 413, 'payload_too_large');
    assert.equal(tooLarge.details.limitBytes, 64 * 1024);
  });

  test('an Idempotency-Key retry returns the first sweep; the same key with another body is 409', async () => {
    const key = `idem-${Date.now()}`;
    const body = validSweepConfig({ name: 'idempotent sweep' });
    const first = parseAs(wire.CreateSweepResponseSchema, await api('/api/sweeps', { method: 'POST', body, headers: { 'idempotency-key': key } }), 201);
    startedSweepIds.push(first.sweepId);
    assert.equal(first.created, true);
    const retry = await api('/api/sweeps', { method: 'POST', body, headers: { 'idempotency-key': key } });
    const second = parseAs(wire.CreateSweepResponseSchema, retry, 200);
    assert.deepEqual(second, { sweepId: first.sweepId, created: false });
    assert.equal(retry.headers.get('location'), `/api/sweeps/${first.sweepId}`);
    assert.equal(await db.prisma.sweep.count({ where: { idempotencyKey: key } }), 1);
    const description = await temporal.client.workflow.getHandle(first.sweepId).describe();
    assert.equal(description.workflowId, first.sweepId, 'one workflow, id = sweep id');

    const conflict = assertError(
      await api('/api/sweeps', { method: 'POST', body: { ...body, name: 'something else' }, headers: { 'idempotency-key': key } }),
      409,
      'idempotency_key_reused',
    );
    assert.equal(conflict.details.sweepId, first.sweepId);
    assertError(await api('/api/sweeps', { method: 'POST', body, headers: { 'idempotency-key': 'has space' } }), 400, 'invalid_idempotency_key');

    const plain = parseAs(wire.CreateSweepResponseSchema, await api('/api/sweeps', { method: 'POST', body }), 201);
    startedSweepIds.push(plain.sweepId);
    assert.notEqual(plain.sweepId, first.sweepId, 'without a key every POST is a new sweep');

    const detail = parseAs(wire.SweepDetailSchema.strict(), await api(`/api/sweeps/${first.sweepId}`));
    assert.equal(detail.name, 'idempotent sweep');
    assert.equal(detail.status, 'queued');
    assert.equal((detail.config as any).training.optimizer, 'momentum', 'defaults filled in');
  });

  test('cancel: a queued sweep is signalled (202); a finished one is 409; an unknown one 404', async () => {
    const created = parseAs(wire.CreateSweepResponseSchema, await api('/api/sweeps', { method: 'POST', body: validSweepConfig({ name: 'to cancel' }) }), 201);
    startedSweepIds.push(created.sweepId);
    const cancelled = parseAs(wire.CancelSweepResponseSchema, await api(`/api/sweeps/${created.sweepId}/cancel`, { method: 'POST' }), 202);
    assert.equal(cancelled.sweepId, created.sweepId);
    const finished = await insertSweep(db.prisma, { status: 'completed' });
    assertError(await api(`/api/sweeps/${finished.id}/cancel`, { method: 'POST' }), 409, 'sweep_finished');
    assertError(await api('/api/sweeps/sw-nope/cancel', { method: 'POST' }), 404, 'sweep_not_found');
  });
});

describe('listing sweeps', () => {
  let inserted: InsertedSweep[];
  const tag = `page-${Date.now()}`;

  before(async () => {
    const statuses = ['completed', 'failed', 'running', 'cancelled', 'completed'] as const;
    const baseMs = Date.UTC(2020, 0, 1);
    inserted = [];
    for (let index = 0; index < 23; index += 1) {
      inserted.push(
        await insertSweep(db.prisma, {
          status: statuses[index % statuses.length],
          tags: index % 3 === 0 ? [tag, 'odd-one'] : [tag],
          // Two sweeps share each timestamp so the cursor must break ties by id.
          createdAt: new Date(baseMs + Math.floor(index / 2) * 1000),
        }),
      );
    }
  });

  async function allPages(query: string, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const cursorParam: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = parseAs(wire.SweepPageSchema.strict(), await api(`/api/sweeps?limit=${limit}${query}${cursorParam}`));
      assert.ok(page.items.length <= limit);
      ids.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages += 1;
      assert.ok(pages < 50, 'pagination terminates');
    } while (cursor);
    return ids;
  }

  const newestFirst = (a: InsertedSweep, b: InsertedSweep) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);

  test('pages visit every sweep exactly once, newest first', async () => {
    const ids = await allPages(`&tag=${tag}`, 5);
    assert.deepEqual(ids, [...inserted].sort(newestFirst).map((s) => s.id));
  });

  test('status and tag filters keep exactly the matching sweeps', async () => {
    const completedOrFailed = await allPages(`&tag=odd-one&status=completed,failed`, 4);
    const expected = inserted
      .filter((s) => s.tags.includes('odd-one') && (s.status === 'completed' || s.status === 'failed'))
      .sort(newestFirst)
      .map((s) => s.id);
    assert.ok(expected.length > 0);
    assert.deepEqual(completedOrFailed, expected);
  });

  test('bad query parameters are named', async () => {
    const status = assertError(await api('/api/sweeps?status=done'), 422, 'validation_failed');
    assert.equal(status.details.problems[0].path, 'status');
    assertError(await api('/api/sweeps?limit=1000'), 422, 'validation_failed');
    assertError(await api('/api/sweeps?cursor=bm9wZQ'), 400, 'invalid_cursor');
    const unknown = assertError(await api('/api/sweeps?colour=red'), 422, 'validation_failed');
    assert.match(unknown.message, /colour/);
  });
});

describe('reading results', () => {
  let sweep: InsertedSweep;
  let points: Awaited<ReturnType<typeof insertCompletedRuns>>;

  before(async () => {
    sweep = await insertSweep(db.prisma, { seedCost: { flops: 5e6, modelSize: 4e4, latencyNs: 1e5 }, seedAccuracy: 0.9 });
    // A fixed pseudo-random cloud: cost and accuracy loosely correlated, with ties.
    let state = 7;
    const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
    points = await insertCompletedRuns(
      db.prisma,
      sweep.id,
      Array.from({ length: 60 }, (_, index) => {
        const size = random();
        return {
          costFlops: Math.round(size * 100) * 1e4,
          costModelSize: Math.round(random() * 50) * 100,
          valAccuracy: index === 5 ? 0.5 : Math.round((0.3 + 0.6 * size * random()) * 100) / 100,
        };
      }),
    );
    await db.prisma.run.update({ where: { id: points[0].id }, data: { structure: sampleStructure() } });
    await db.prisma.curvePoint.createMany({
      data: [8, 4, 0].map((step) => ({ runId: points[0].id, step, taskLoss: 1 / (step + 1), regLoss: 0.1, cost: 1e6 - step, valAccuracy: step ? 0.5 : null })),
    });
    await db.prisma.retrain.createMany({
      data: [
        { id: 'rt-done', runId: points[0].id, status: 'completed', widthMultiplier: 2, costAxis: 'flops', totalSteps: 8, step: 8, costFlops: 3e5, costModelSize: 900, valAccuracy: 0.8, testAccuracy: 0.79 },
        { id: 'rt-busy', runId: points[0].id, status: 'running', targetCost: 1e5, costAxis: 'flops', totalSteps: 8, step: 3 },
      ],
    });
    // Runs that must stay off the front: unfinished, or finished without a cost.
    await db.prisma.run.createMany({
      data: [
        { id: `${sweep.id}-running`, sweepId: sweep.id, strength: 9, threshold: 9, seed: 0, status: 'running', totalSteps: 8, costFlops: 1, valAccuracy: 1 },
        { id: `${sweep.id}-nocost`, sweepId: sweep.id, strength: 9, threshold: 8, seed: 0, status: 'completed', totalSteps: 8, valAccuracy: 1 },
      ],
    });
  });

  for (const cost of ['flops', 'model-size'] as const) {
    test(`the front on ${cost} splits the completed runs like a brute-force check`, async () => {
      const front = parseAs(wire.FrontSchema.strict(), await api(`/api/sweeps/${sweep.id}/front?cost=${cost}`));
      assert.equal(front.cost, cost);
      const candidates = points.map((p) => ({ id: p.id, cost: cost === 'flops' ? p.costFlops : p.costModelSize, accuracy: p.valAccuracy }));
      const expectedFront = new Set([...bruteForceFront(candidates)].map((p) => p.id));
      assert.deepEqual(new Set(front.pareto.map((p) => p.runId)), expectedFront);
      assert.equal(front.pareto.length + front.dominated.length, points.length, 'every completed costed run, nothing else');
      const costs = front.pareto.map((p) => p.cost);
      assert.deepEqual(costs, [...costs].sort((a, b) => a - b), 'front by ascending cost');
      assert.deepEqual(front.seedNetwork, { cost: cost === 'flops' ? 5e6 : 4e4, accuracy: 0.9 });
      assert.deepEqual(front.retrained, [
        { retrainId: 'rt-done', runId: points[0].id, widthMultiplier: 2, targetCost: null, cost: cost === 'flops' ? 3e5 : 900, accuracy: 0.8 },
      ]);
    });
  }

  test('a changed run changes the front at once (no stale cached answer)', async () => {
    const before = parseAs(wire.FrontSchema, await api(`/api/sweeps/${sweep.id}/front?cost=flops`));
    const cheapest = [...before.pareto, ...before.dominated].sort((a, b) => a.cost - b.cost)[0];
    const loser = before.dominated[0];
    await db.prisma.run.update({ where: { id: loser.runId }, data: { costFlops: cheapest.cost / 2, valAccuracy: 0.99 } });
    try {
      const after = parseAs(wire.FrontSchema, await api(`/api/sweeps/${sweep.id}/front?cost=flops`));
      assert.deepEqual(after.pareto.map((p) => p.runId), [loser.runId], 'cheapest and most accurate: it alone is the front');
    } finally {
      await db.prisma.run.update({ where: { id: loser.runId }, data: { costFlops: loser.cost, valAccuracy: loser.accuracy } });
    }
  });

  /** node:http, because fetch decodes gzip on its own and hides how the body was sent. */
  function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      http
        .get(`${app.url}${path}`, { headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
  }

  test('the front is gzipped once for clients that accept gzip, and sent as is to those that do not', async () => {
    const path = `/api/sweeps/${sweep.id}/front?cost=flops`;
    const auth = { authorization: `Bearer ${token}` };
    const plain = await rawGet(path, { ...auth, 'accept-encoding': 'identity' });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    const front = wire.FrontSchema.strict().parse(JSON.parse(plain.body.toString('utf8')));
    for (const acceptEncoding of ['gzip', 'gzip, deflate, br, zstd', 'br;q=1, gzip;q=0.5']) {
      const zipped = await rawGet(path, { ...auth, 'accept-encoding': acceptEncoding });
      assert.equal(zipped.headers['content-encoding'], 'gzip', acceptEncoding);
      assert.deepEqual(JSON.parse(gunzipSync(zipped.body).toString('utf8')), front, `one gunzip gives the front (${acceptEncoding})`);
      assert.equal(zipped.headers.etag, plain.headers.etag, 'one ETag for both codings of the same front');
    }
    // Refused gzip, only deflate: the server's own compression must not take it over either.
    const deflateOnly = await rawGet(path, { ...auth, 'accept-encoding': 'gzip;q=0, deflate' });
    assert.equal(deflateOnly.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(deflateOnly.body.toString('utf8')), front);
  });

  test('the front has an ETag: If-None-Match answers 304 until a completed run changes, not while others train', async () => {
    const path = `/api/sweeps/${sweep.id}/front?cost=flops`;
    const first = await api(path);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^W\/".+"$/);
    assert.match(first.headers.get('cache-control') ?? '', /private/);
    assert.match(first.headers.get('cache-control') ?? '', /no-cache/, 'a browser must revalidate, never serve its copy unasked');
    for (const ifNoneMatch of [etag!, `"other", ${etag}`, etag!.replace(/^W\//, '')]) {
      const again = await rawGet(path, { authorization: `Bearer ${token}`, 'if-none-match': ifNoneMatch });
      assert.equal(again.status, 304, ifNoneMatch);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.etag, etag);
    }
    assert.equal((await api(path, { headers: { 'if-none-match': etag! }, token: null })).status, 401, 'no 304 without a valid token');
    assert.equal((await api(`/api/sweeps/${sweep.id}/front?cost=model-size`, { headers: { 'if-none-match': etag! } })).status, 200, 'another axis is another answer');

    await db.prisma.run.update({ where: { id: `${sweep.id}-running` }, data: { step: { increment: 1 } } });
    assert.equal((await api(path, { headers: { 'if-none-match': etag! } })).status, 304, 'a run in training does not change the front');

    const changed = points[1];
    await db.prisma.run.update({ where: { id: changed.id }, data: { valAccuracy: changed.valAccuracy / 2 } });
    try {
      const after = await api(path, { headers: { 'if-none-match': etag! } });
      assert.equal(after.status, 200, 'a changed completed run changes the front');
      assert.notEqual(after.headers.get('etag'), etag);
      const moved = [...after.body.pareto, ...after.body.dominated].find((p: { runId: string }) => p.runId === changed.id);
      assert.equal(moved.accuracy, changed.valAccuracy / 2);
    } finally {
      await db.prisma.run.update({ where: { id: changed.id }, data: { valAccuracy: changed.valAccuracy } });
    }
  });

  test("the front defaults to the sweep's own cost axis and rejects unknown axes", async () => {
    const front = parseAs(wire.FrontSchema, await api(`/api/sweeps/${sweep.id}/front`));
    assert.equal(front.cost, 'flops');
    const latency = parseAs(wire.FrontSchema, await api(`/api/sweeps/${sweep.id}/front?cost=latency`));
    assert.deepEqual([latency.pareto.length, latency.dominated.length, latency.seedNetwork?.cost], [0, 0, 1e5], 'latency unmeasured on these runs');
    assertError(await api(`/api/sweeps/${sweep.id}/front?cost=energy`), 422, 'validation_failed');
  });

  test('a run comes with its curve by step, alive widths beside seed widths, and its retrains', async () => {
    const run = parseAs(wire.RunDetailSchema.strict(), await api(`/api/runs/${points[0].id}`));
    assert.deepEqual(run.curve.map((p) => p.step), [0, 4, 8]);
    assert.deepEqual(
      run.layers?.map((l) => [l.name, l.alive, l.seed]),
      [
        ['conv1', 3, 8],
        ['conv2', 0, 16],
        ['logits', 3, 3],
      ],
    );
    assert.deepEqual(run.retrains.map((r) => [r.id, r.status]), [
      ['rt-done', 'completed'],
      ['rt-busy', 'running'],
    ]);
    const retrain = parseAs(wire.RetrainSchema.strict(), await api('/api/retrains/rt-busy'));
    assert.deepEqual([retrain.sweepId, retrain.targetCost, retrain.step], [sweep.id, 1e5, 3]);
  });

  test('the structure downloads as our JSON or as the flat MorphNet view', async () => {
    const ours = await api(`/api/runs/${points[0].id}/structure`);
    assert.deepEqual(ours.body, sampleStructure());
    const flat = await api(`/api/runs/${points[0].id}/structure?format=morphnet`);
    assert.deepEqual(flat.body, toMorphNetFormat(sampleStructure() as StructureJson));
    assertError(await api(`/api/runs/${points[0].id}/structure?format=onnx`), 422, 'validation_failed');
    assertError(await api(`/api/runs/${sweep.id}-running/structure`), 409, 'structure_not_ready');
  });

  test('retrain refuses unfinished runs (409) and contradictory options (422)', async () => {
    assertError(await api(`/api/runs/${sweep.id}-running/retrain`, { method: 'POST', body: {} }), 409, 'run_not_completed');
    const both = assertError(
      await api(`/api/runs/${points[0].id}/retrain`, { method: 'POST', body: { widthMultiplier: 2, targetCost: 10, extra: true } }),
      422,
      'validation_failed',
    );
    assert.equal(both.details.problems.length, 2, 'unknown key and both options, together');
    assertError(await api(`/api/runs/${points[0].id}/retrain`, { method: 'POST', body: { widthMultiplier: -1 } }), 422, 'validation_failed');
  });

  test('unknown ids and endpoints are 404 in the error envelope', async () => {
    assertError(await api('/api/sweeps/sw-missing'), 404, 'sweep_not_found');
    assertError(await api('/api/sweeps/sw-missing/front'), 404, 'sweep_not_found');
    assertError(await api('/api/sweeps/sw-missing/front?cost=flops'), 404, 'sweep_not_found');
    assertError(await api('/api/sweeps/sw-missing/events'), 404, 'sweep_not_found');
    assertError(await api('/api/runs/run-missing'), 404, 'run_not_found');
    assertError(await api('/api/runs/run-missing/structure'), 404, 'run_not_found');
    assertError(await api('/api/runs/run-missing/retrain', { method: 'POST' }), 404, 'run_not_found');
    assertError(await api('/api/retrains/rt-missing'), 404, 'retrain_not_found');
    assertError(await api('/api/no/such/thing'), 404, 'endpoint_not_found');
  });
});

test('the built app bundles no TF.js: browsers never get it, the server requires it only where a user model is checked', async () => {
  // Checking a user's model.json (POST /api/models, a sweep naming one) builds it with TF.js in the
  // server, loaded on first use from node_modules (serverExternalPackages); every other page and
  // endpoint stays free of it.
  const buildDir = path.resolve(import.meta.dirname, '../../web', app.distDir);
  const offenders: string[] = [];
  for (const entry of await readdir(buildDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(js|mjs|cjs)$/.test(entry.name) || entry.parentPath.includes(`${path.sep}cache`)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(buildDir, file);
    const text = await readFile(file, 'utf8');
    // tfjs-core's own code (one of its error strings) bundled anywhere.
    if (text.includes('Cannot evaluate flag')) offenders.push(`${relative} bundles tfjs-core`);
    if (!text.includes('@tensorflow/tfjs')) continue;
    if (relative.startsWith(`static${path.sep}`)) offenders.push(`${relative} (browser) mentions TF.js`);
    // required-server-files lists serverExternalPackages; any other server file is code that requires it.
    else if (!relative.startsWith('required-server-files') && !text.includes('TF.js cannot build the model')) {
      offenders.push(`${relative} requires TF.js outside the user-model check`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('an unexpected failure is a 500 with a request id and no stack trace', async () => {
  // A database that does not exist: every query fails below the API, as during a real outage.
  const broken = await startWebApp({
    databaseUrl: databaseUrlFor(testPostgresAdminUrl(), 'morphsweep_no_such_database'),
    env: { MORPHSWEEP_AUTH: 'off' },
  });
  try {
    const error = assertError(await api('/api/sweeps', { token: null, baseUrl: broken.url }), 500, 'internal_error');
    assert.match(error.details.requestId, /^[0-9a-f-]{36}$/);
    assert.doesNotMatch(error.message, /morphsweep_no_such_database|prisma|postgres/i, 'internals stay in the server log');
    assert.match(broken.logs(), new RegExp(error.details.requestId), 'the log has the request id');
  } finally {
    await broken.stop();
  }
});
