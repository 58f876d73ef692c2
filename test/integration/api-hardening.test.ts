import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { createApiToken, revokeApiToken } from '../../src/db/repositories/tokens.ts';
import { createTestDatabase, startPrivatePostgres, type PostgresCluster, type TestDatabase } from '../support/database.ts';
import { testTemporal, uniqueTaskQueue } from '../support/temporal.ts';
import { startWebApp, type RunningWebApp } from '../support/web-app.ts';
import { insertCompletedRuns, insertSweep, sampleStructure, validSweepConfig } from './api-fixtures.ts';
import { waitUntil } from './sweep-harness.ts';

/**
 * What a client that retries, races or outlives a token meets: every route's authentication, idempotent
 * creation under truly concurrent requests, and 503 while the database is down. The app runs on a
 * PostgreSQL cluster of this file's own, so that stopping it disturbs no other test file; no worker
 * polls its task queue (workflows it starts stay queued and are terminated at the end).
 */

const API_DIR = fileURLToPath(new URL('../../web/app/api/', import.meta.url));
/** Routes a client calls before it has a token. Every other route must refuse one that is missing or revoked. */
const PUBLIC_OPERATIONS = new Set(['GET /api/health', 'GET /api/openapi.json', 'POST /api/session', 'DELETE /api/session']);

let cluster: PostgresCluster;
let db: TestDatabase;
let app: RunningWebApp;
let token: string;
let temporal: { client: Client; connection: Connection };
const startedWorkflowIds = new Set<string>();

before(async () => {
  cluster = await startPrivatePostgres();
  db = await createTestDatabase({ adminUrl: cluster.adminUrl });
  token = (await createApiToken(db.prisma, 'api-hardening')).secret;
  const { address, namespace } = testTemporal();
  app = await startWebApp({
    databaseUrl: db.url,
    env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, MORPHSWEEP_TASK_QUEUE: uniqueTaskQueue('api-hardening') },
  });
  const connection = await Connection.connect({ address });
  temporal = { connection, client: new Client({ connection, namespace }) };
});

after(async () => {
  await Promise.allSettled([...startedWorkflowIds].map((id) => temporal?.client.workflow.getHandle(id).terminate('api test finished')));
  await temporal?.connection.close();
  await app?.stop();
  await db?.drop().catch(() => {});
  await cluster?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(route: string, options: { method?: string; body?: unknown; headers?: Record<string, string>; bearer?: string | null } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const bearer = options.bearer === undefined ? token : options.bearer;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${app.url}${route}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body };
}

/** Every `route.ts` under web/app/api as "METHOD /api/path" (dynamic segments as OpenAPI's {name}). */
async function routeFileOperations(): Promise<string[]> {
  const operations: string[] = [];
  const visit = async (dir: string, segments: string[]) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        await visit(path.join(dir, entry.name), [...segments, entry.name]);
      } else if (entry.name === 'route.ts') {
        // The catch-all answers unknown paths with a 404 and is no endpoint of its own.
        if (segments.some((segment) => segment.startsWith('[...'))) continue;
        const routePath = `/api/${segments.map((segment) => segment.replace(/^\[(\w+)\]$/, '{$1}')).join('/')}`.replace(/\/$/, '');
        const source = await readFile(path.join(dir, entry.name), 'utf8');
        for (const [, method] of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) operations.push(`${method} ${routePath}`);
      }
    }
  };
  await visit(API_DIR, []);
  return operations.sort();
}

describe('authentication of every route', () => {
  let protectedOperations: string[];

  before(async () => {
    const document = (await call('/api/openapi.json', { bearer: null })).body;
    const documented = Object.entries(document.paths as Record<string, Record<string, { security?: unknown[] }>>).flatMap(([route, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${route}`, open: Array.isArray(operation.security) && operation.security.length === 0 })),
    );
    const inRouteFiles = await routeFileOperations();
    // A new route must be documented (or listed public here): it cannot slip past the checks below.
    assert.deepEqual(
      inRouteFiles.filter((name) => !PUBLIC_OPERATIONS.has(name)),
      documented.filter((operation) => !operation.open).map((operation) => operation.name).sort(),
    );
    for (const operation of documented.filter((candidate) => candidate.open)) assert.ok(PUBLIC_OPERATIONS.has(operation.name), `${operation.name} is documented without security`);
    protectedOperations = inRouteFiles.filter((name) => !PUBLIC_OPERATIONS.has(name));
    assert.ok(protectedOperations.length >= 9, protectedOperations.join(', '));
  });

  const request = (operation: string, headers: Record<string, string>) => {
    const [method, route] = operation.split(' ') as [string, string];
    return call(route.replaceAll('{id}', 'some-id'), { method, bearer: null, headers, body: method === 'POST' ? {} : undefined });
  };
  const assertUnauthorized = (answer: Answer, what: string) => {
    assert.equal(answer.status, 401, `${what}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.error.code, 'unauthorized', what);
  };

  test('a missing token, a revoked bearer token and a revoked session cookie are refused by every route', async () => {
    const revocable = await createApiToken(db.prisma, 'soon-revoked');
    const signIn = await call('/api/session', { method: 'POST', bearer: null, body: { token: revocable.secret } });
    assert.equal(signIn.status, 204);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    // Both credentials work before the revocation, so a 401 below is the revocation's doing.
    assert.equal((await call('/api/sweeps', { bearer: revocable.secret })).status, 200);
    assert.equal((await call('/api/sweeps', { bearer: null, headers: { cookie } })).status, 200);
    await revokeApiToken(db.prisma, revocable.id);

    for (const operation of protectedOperations) {
      assertUnauthorized(await request(operation, {}), `${operation} without a token`);
      assertUnauthorized(await request(operation, { authorization: `Bearer ${revocable.secret}` }), `${operation} with a revoked bearer token`);
      assertUnauthorized(await request(operation, { cookie }), `${operation} with a revoked session cookie`);
    }
    // Nor can the revoked token sign in again.
    assertUnauthorized(await call('/api/session', { method: 'POST', bearer: null, body: { token: revocable.secret } }), 'sign-in with a revoked token');
  });
});

describe('idempotency under concurrent requests', () => {
  test('racing sweep requests with one key: one creates, the same body gets that sweep, a different body 409', async () => {
    const key = `race-${Date.now()}`;
    const bodies = [validSweepConfig({ name: 'race A' }), validSweepConfig({ name: 'race B' })];
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call('/api/sweeps', { method: 'POST', body: bodies[i % 2], headers: { 'idempotency-key': key } }).then((answer) => ({ answer, body: i % 2 }))),
    );
    const created = answers.filter(({ answer }) => answer.status === 201);
    assert.equal(created.length, 1, JSON.stringify(answers.map(({ answer }) => answer.status)));
    const sweepId = created[0]!.answer.body.sweepId as string;
    startedWorkflowIds.add(sweepId);
    const winner = created[0]!.body;
    for (const { answer, body } of answers) {
      if (body === winner) {
        assert.ok(answer.status === 201 || answer.status === 200, JSON.stringify(answer.body));
        assert.equal(answer.body.sweepId, sweepId);
      } else {
        assert.equal(answer.status, 409, JSON.stringify(answer.body));
        assert.equal(answer.body.error.code, 'idempotency_key_reused');
        assert.equal(answer.body.error.details.sweepId, sweepId);
      }
    }
    const rows = await db.prisma.sweep.findMany({ where: { idempotencyKey: key } });
    assert.deepEqual(rows.map((row) => [row.id, row.name]), [[sweepId, winner === 0 ? 'race A' : 'race B']]);
    let executions = 0;
    for await (const _execution of temporal.client.workflow.list({ query: `WorkflowId = '${sweepId}'` })) executions += 1;
    assert.ok(executions <= 1, `${executions} workflow executions`);
    assert.equal((await temporal.client.workflow.getHandle(sweepId).describe()).status.name, 'RUNNING', 'its one workflow was started');
  });

  test('retrain requests with one key train once: racing duplicates get the same retrain, another request under the key 409', async () => {
    const sweep = await insertSweep(db.prisma, { status: 'completed' });
    const [run, other] = await insertCompletedRuns(db.prisma, sweep.id, [
      { costFlops: 1000, costModelSize: 100, valAccuracy: 0.8 },
      { costFlops: 2000, costModelSize: 200, valAccuracy: 0.9 },
    ]);
    for (const id of [run!.id, other!.id]) await db.prisma.run.update({ where: { id }, data: { structure: sampleStructure() } });
    const key = `retrain-${Date.now()}`;
    const retrain = (runId: string, body: object, idempotencyKey?: string) =>
      call(`/api/runs/${runId}/retrain`, { method: 'POST', body, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });

    // A client's retry racing its first try, or a double click: six at once.
    const answers = await Promise.all(Array.from({ length: 6 }, () => retrain(run!.id, { widthMultiplier: 0.5 }, key)));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 200, 200, 200, 200, 202]);
    const retrainIds = new Set(answers.map((answer) => answer.body.retrainId as string));
    assert.equal(retrainIds.size, 1);
    const [retrainId] = retrainIds;
    startedWorkflowIds.add(retrainId!);
    assert.equal(await db.prisma.retrain.count({ where: { runId: run!.id } }), 1);
    assert.equal((await temporal.client.workflow.getHandle(retrainId!).describe()).status.name, 'RUNNING');

    for (const [runId, body] of [[run!.id, { widthMultiplier: 2 }], [other!.id, { widthMultiplier: 0.5 }]] as const) {
      const reused = await retrain(runId, body, key);
      assert.equal(reused.status, 409, JSON.stringify(reused.body));
      assert.equal(reused.body.error.code, 'idempotency_key_reused');
      assert.equal(reused.body.error.details.retrainId, retrainId);
    }
    // Without a key every request is a new retrain.
    const plain = await Promise.all([retrain(other!.id, {}), retrain(other!.id, {})]);
    assert.deepEqual(plain.map((answer) => answer.status), [202, 202]);
    for (const answer of plain) startedWorkflowIds.add(answer.body.retrainId);
    assert.equal(await db.prisma.retrain.count({ where: { runId: other!.id } }), 2);
  });
});

test('while the database is down every call is a 503 with Retry-After, as the OpenAPI document says; then service resumes', async () => {
  const document = (await call('/api/openapi.json', { bearer: null })).body;
  for (const [route, operations] of Object.entries(document.paths as Record<string, Record<string, { responses: Record<string, any> }>>)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (route === '/api/health' || (route === '/api/session' && method === 'delete')) continue;
      assert.ok(operation.responses['503']?.headers?.['Retry-After'], `${method} ${route} documents 503 with Retry-After`);
    }
  }
  const restarting = cluster.restart({ downMs: 6_000 });
  try {
    await waitUntil('the database to be down', async () => ((await call('/api/sweeps')).status === 503 ? true : undefined), 10_000);
    for (const [method, route] of [['GET', '/api/sweeps'], ['POST', '/api/sweeps'], ['GET', '/api/runs/some-run']] as const) {
      const answer = await call(route, { method, body: method === 'POST' ? validSweepConfig() : undefined });
      assert.equal(answer.status, 503, `${method} ${route}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'database_unavailable');
      assert.equal(answer.headers.get('retry-after'), '5');
    }
  } finally {
    await restarting;
  }
  await waitUntil('the API to answer again', async () => ((await call('/api/sweeps')).status === 200 ? true : undefined), 20_000);
});
