import { ApiError } from './errors.ts';

/** API answers are per-caller and change while sweeps run, so no shared cache may keep them. */
const NO_STORE = 'no-store';

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return rawJsonResponse(JSON.stringify(body), status, headers);
}

/** For bodies serialized (and cached) already. */
export function rawJsonResponse(json: string | Uint8Array<ArrayBuffer>, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(json, {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': NO_STORE, ...headers },
  });
}

export function errorResponse(error: ApiError): Response {
  const envelope = {
    error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) },
  };
  return jsonResponse(envelope, error.status, error.headers);
}
