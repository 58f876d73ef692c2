import type { FieldProblem } from '../../../src/client/wire.ts';

/**
 * Every failure the API reports on purpose. Handlers throw these; the route wrapper turns them into
 * `{ error: { code, message, details } }` with the status. Anything else becomes a 500 whose body
 * names a request id to look up in the server log, never a stack trace.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function validationFailed(where: 'body' | 'query', problems: FieldProblem[]): ApiError {
  const summary = problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ');
  return new ApiError(
    422,
    'validation_failed',
    `invalid request ${where} (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${summary}`,
    { problems },
  );
}

export function notFound(kind: 'sweep' | 'run' | 'retrain' | 'model' | 'evidence', id: string): ApiError {
  const listHint =
    kind === 'sweep'
      ? 'list sweeps with GET /api/sweeps'
      : kind === 'model'
        ? 'store it first with POST /api/models, which answers with its id'
        : `find ${kind} ids on their sweep's page`;
  return new ApiError(404, `${kind}_not_found`, `no ${kind} with id "${id}"; ${listHint}`);
}

/** How long a client should wait before retrying while a service is down (a restart takes seconds). */
export const RETRY_AFTER_S = 5;

/** 503 with Retry-After: the database or Temporal is down; the request changed nothing and may be retried. */
export function serviceUnavailable(code: 'database_unavailable' | 'temporal_unavailable', message: string): ApiError {
  return new ApiError(503, code, message, undefined, { 'retry-after': String(RETRY_AFTER_S) });
}
