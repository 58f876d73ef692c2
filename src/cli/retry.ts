import { isDatabaseUnavailable } from '../db/availability.ts';
import { TemporalUnreachableError } from '../temporal/connection.ts';
import { WorkflowNotStartedError } from '../temporal/sweeps.ts';

/** Attempts of a request whose failure may be a passing outage (a restart takes seconds). */
const ATTEMPTS = 5;
const FIRST_DELAY_MS = 1_000;

function isTransient(error: unknown): boolean {
  return error instanceof WorkflowNotStartedError || error instanceof TemporalUnreachableError || isDatabaseUnavailable(error);
}

/**
 * Runs `request` until it succeeds, retrying transient failures with doubling delays. The request
 * must be idempotent (it carries the invocation's Idempotency-Key), so a retry never does it twice.
 */
export async function retryTransient<T>(request: () => Promise<T>, onRetry: (error: unknown, delayMs: number) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isTransient(error)) throw error;
      const delayMs = FIRST_DELAY_MS * 2 ** (attempt - 1);
      onRetry(error, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
