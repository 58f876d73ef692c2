import { randomBytes } from 'node:crypto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TemporalConfig } from '../../src/temporal/connection.ts';
import { requireServiceVariable } from './services-env.ts';

/** The dev server that with-services started for the whole run. */
export function testTemporal(): TemporalConfig {
  return { address: requireServiceVariable('TEMPORAL_ADDRESS'), namespace: requireServiceVariable('TEMPORAL_NAMESPACE') };
}

/**
 * Test files share one server, so each worker polls a queue of its own: a worker from another file
 * must never pick up this file's tasks.
 */
export function uniqueTaskQueue(purpose: string): string {
  return `test-${purpose}-${randomBytes(4).toString('hex')}`;
}

/** Workers log every state change at INFO; in tests only warnings and errors are worth reading. */
export function quietTemporalLogs(): void {
  Runtime.install({ logger: new DefaultLogger('WARN') });
}
