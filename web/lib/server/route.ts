import { randomUUID } from 'node:crypto';
import { isGrpcServiceError } from '@temporalio/client';
import { isDatabaseUnavailable } from '../../../src/db/availability.ts';
import { InvalidSweepConfigError } from '../../../src/sweep/config.ts';
import { InvalidCursorError } from '../../../src/db/repositories/queries.ts';
import { RunNotFoundError } from '../../../src/db/repositories/runs.ts';
import { SweepNotFoundError } from '../../../src/db/repositories/sweeps.ts';
import { RetrainNotFoundError } from '../../../src/db/repositories/retrains.ts';
import { UserModelNotFoundError } from '../../../src/db/repositories/user-models.ts';
import { InvalidUserModelError } from '../../../src/models/user-model-json.ts';
import { TemporalConfigError, TemporalUnreachableError } from '../../../src/temporal/connection.ts';
import { IdempotencyKeyReusedError, InvalidRetrainRequestError, WorkflowNotStartedError } from '../../../src/temporal/sweeps.ts';
import { EvidenceNotFoundError } from '../../../src/db/repositories/evidence.ts';
import { authenticate } from './auth.ts';
import { ApiError, notFound, serviceUnavailable, validationFailed } from './errors.ts';
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
  if (error instanceof UserModelNotFoundError) return notFound('model', error.modelId);
  if (error instanceof InvalidUserModelError) {
    return new ApiError(422, 'invalid_model', error.message.replace(/\s*\n\s*/g, ' '), { problems: error.problems });
  }
  if (error instanceof EvidenceNotFoundError) return notFound('evidence', error.evidenceId);
  if (error instanceof InvalidRetrainRequestError) return new ApiError(409, 'retrain_rejected', error.message);
  if (error instanceof IdempotencyKeyReusedError) {
    return new ApiError(409, 'idempotency_key_reused', error.message, error.kind === 'sweep' ? { sweepId: error.existingId } : { retrainId: error.existingId });
  }
  if (error instanceof TemporalUnreachableError || error instanceof TemporalConfigError || error instanceof WorkflowNotStartedError) {
    return serviceUnavailable('temporal_unavailable', error.message);
  }
  if (isTemporalUnavailable(error)) return serviceUnavailable('temporal_unavailable', `Temporal is unreachable: ${(error as Error).message}`);
  if (isDatabaseUnavailable(error)) {
    return serviceUnavailable('database_unavailable', 'the database is unreachable (down or restarting); retry after Retry-After seconds (a POST with the same Idempotency-Key)');
  }
  return undefined;
}

/** gRPC UNAVAILABLE or DEADLINE_EXCEEDED anywhere in the cause chain of a Temporal client error. */
function isTemporalUnavailable(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = (current as Error & { cause?: unknown }).cause) {
    if (isGrpcServiceError(current) && (current.code === 14 || current.code === 4)) return true;
  }
  return false;
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
