import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { connectClient, type TemporalClientHandle } from '../../src/temporal/connection.ts';
import { connectWorkerConnection } from '../../src/temporal/worker-connection.ts';
import * as activities from '../support/temporal-fixtures/activities.ts';
import { quietTemporalLogs, testTemporal, uniqueTaskQueue } from '../support/temporal.ts';

const workflowsPath = fileURLToPath(new URL('../support/temporal-fixtures/workflows.ts', import.meta.url));
let clientHandle: TemporalClientHandle;
quietTemporalLogs();

before(async () => {
  clientHandle = await connectClient(testTemporal());
});

after(async () => {
  await clientHandle?.close();
});

test('a workflow runs an activity on a real worker against the shared dev server', async () => {
  const config = testTemporal();
  const taskQueue = uniqueTaskQueue('roundtrip');
  const connection = await connectWorkerConnection(config);
  try {
    const worker = await Worker.create({ connection, namespace: config.namespace, taskQueue, workflowsPath, activities });
    const numbers = [3, 4, 5.5];
    const workflowId = `roundtrip-${randomUUID()}`;
    const result = await worker.runUntil(
      clientHandle.client.workflow.execute('sumTwiceWorkflow', { taskQueue, workflowId, args: [numbers], workflowExecutionTimeout: '60 seconds' }),
    );
    assert.deepEqual(result, { doubledSum: 25, workerPid: process.pid, workflowId });

    // The server recorded it: scheduled, started and completed activity events besides the workflow's own.
    const description = await clientHandle.client.workflow.getHandle(workflowId).describe();
    assert.equal(description.status.name, 'COMPLETED');
    assert.ok(description.historyLength >= 11, `history has only ${description.historyLength} events`);
  } finally {
    await connection.close();
  }
});
