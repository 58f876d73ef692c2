import type { z } from 'zod';
import type { FieldProblem } from '../../../src/client/wire.ts';
import { ApiError, validationFailed } from './errors.ts';

/** Sweep configs are a few hundred bytes; anything near this limit is a mistake or an attack. */
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export function maxBodyBytes(): number {
  const configured = Number(process.env.MORPHSWEEP_API_MAX_BODY_BYTES);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_MAX_BODY_BYTES;
}

function tooLarge(limitBytes: number): ApiError {
  return new ApiError(413, 'payload_too_large', `request body is over the ${limitBytes}-byte limit; send a smaller body`, {
    limitBytes,
  });
}

async function readLimitedBytes(request: Request, limitBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    // A chunked body has no Content-Length, so the limit is also enforced while reading.
    if (total > limitBytes) {
      await reader.cancel();
      throw tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * The request's JSON body, or an ApiError: 415 when it is not declared JSON, 413 over the size limit,
 * 400 when it does not parse. An empty body reads as `emptyValue` where the endpoint allows one.
 */
export async function readJsonBody(request: Request, options: { emptyValue?: unknown; limitBytes?: number } = {}): Promise<unknown> {
  const limitBytes = options.limitBytes ?? maxBodyBytes();
  const bytes = await readLimitedBytes(request, limitBytes);
  if (bytes.byteLength === 0 && options.emptyValue !== undefined) return options.emptyValue;
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
    throw new ApiError(415, 'unsupported_media_type', 'send the body as JSON with the header Content-Type: application/json', {
      contentType: contentType || null,
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_json', 'request body is not valid UTF-8; send UTF-8 encoded JSON');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `request body is not valid JSON (${(error as Error).message}); fix the JSON syntax`);
  }
  rejectNulCharacters(body, 'body');
  return body;
}

/** Paths of strings (and object keys) holding U+0000, which PostgreSQL text cannot store. */
function nulPaths(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path.join('.')] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key.includes('\u0000') ? [[...path, key].join('.')] : nulPaths(inner, [...path, key]),
  );
}

/** 422 when any string in the input contains a NUL character; checked before anything reaches the store. */
export function rejectNulCharacters(input: unknown, where: 'body' | 'query'): void {
  const paths = nulPaths(input);
  if (paths.length > 0) {
    throw validationFailed(
      where,
      paths.map((path) => ({ path, message: 'must not contain NUL characters (\\u0000)' })),
    );
  }
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export function problemsOf(error: z.ZodError, input: unknown): FieldProblem[] {
  return error.issues.map((issue) => {
    const value = valueAt(input, issue.path);
    return { path: issue.path.map(String).join('.'), message: issue.message, ...(value === undefined ? {} : { value }) };
  });
}

/** Parse untrusted input against a schema; a 422 lists every problem at once. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(where, problemsOf(result.error, input));
  return result.data;
}

export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  const params = new URL(request.url).searchParams;
  const query: Record<string, string> = {};
  const repeated: FieldProblem[] = [];
  for (const [key, value] of params) {
    if (key in query) repeated.push({ path: key, message: `give ${key} once`, value: params.getAll(key) });
    query[key] = value;
  }
  if (repeated.length > 0) throw validationFailed('query', repeated);
  rejectNulCharacters(query, 'query');
  return parseWith(schema, query, 'query');
}
