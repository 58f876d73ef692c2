import { randomUUID } from 'node:crypto';
import { InvalidSweepConfigError } from '../../../src/sweep/config.ts';
import { InvalidCursorError } from '../../../src/db/repositories/queries.ts';
import { RunNotFoundError } from '../../../src/db/repositories/runs.ts';
import { SweepNotFoundError } from '../../../src/db/repositories/sweeps.ts';
import { RetrainNotFoundError } from '../../../src/db/repositories/retrains.ts';
import { TemporalConfigError, TemporalUnreachableError } from '../../../src/temporal/connection.ts';
import { InvalidRetrainRequestError } from '../../../src/temporal/sweeps.ts';
import { EvidenceNotFoundError } from '../../../src/db/repositories/evidence.ts';
import { authenticate } from './auth.ts';
import { ApiError, notFound, validationFailed } from './errors.ts';
import { errorResponse } from './responses.ts';

type RouteParams = Record<string, string>;

interface RouteContext<P extends RouteParams> {
  params: Promise<P>;
}

export interface RouteOptions {
  /** false only for endpoints a client needs before it has a token (health, OpenAPI, sign-in). */
  auth?: boolean;
}

/** Known failures from the layers below, in the API's terms. */
function asApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof InvalidSweepConfigError) return validationFailed('body', error.problems);
  if (error instanceof InvalidCursorError) return new ApiError(400, 'invalid_cursor', error.message);
  // A row can vanish between the handler's own check and the orchestration call.
  if (error instanceof SweepNotFoundError) return notFound('sweep', error.sweepId);
  if (error instanceof RunNotFoundError) return notFound('run', error.runId);
  if (error instanceof RetrainNotFoundError) return notFound('retrain', error.retrainId);
  if (error instanceof EvidenceNotFoundError) return notFound('evidence', error.evidenceId);
  if (error instanceof InvalidRetrainRequestError) return new ApiError(409, 'retrain_rejected', error.message);
  if (error instanceof TemporalUnreachableError || error instanceof TemporalConfigError) {
    return new ApiError(503, 'temporal_unavailable', error.message);
  }
  return undefined;
}

function internalError(error: unknown): Response {
  const requestId = randomUUID();
  // The stack goes to the server log only; the caller gets an id to quote.
  console.error(`[api] request ${requestId} failed:`, error);
  return errorResponse(
    new ApiError(500, 'internal_error', `internal server error; the server log has the details under request id ${requestId}`, {
      requestId,
    }),
  );
}

/** Wraps a route handler: authentication, awaited params, and every error as an envelope. */
export function apiRoute<P extends RouteParams = RouteParams>(
  handler: (request: Request, params: P) => Promise<Response>,
  options: RouteOptions = {},
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return async (request, context) => {
    try {
      if (options.auth !== false) await authenticate(request);
      const params = context?.params ? await context.params : ({} as P);
      if (Object.values(params).some((value) => String(value).includes('\u0000'))) {
        // No stored id contains NUL, and PostgreSQL would refuse to even compare one.
        throw new ApiError(404, 'not_found', 'no resource has an id containing a NUL character');
      }
      return await handler(request, params);
    } catch (error) {
      const known = asApiError(error);
      return known ? errorResponse(known) : internalError(error);
    }
  };
}
