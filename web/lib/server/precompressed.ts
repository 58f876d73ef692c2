import type http from 'node:http';

/**
 * Route handlers cannot send Content-Encoding: Next drops that header from their answers
 * (next/dist/server/send-response.js, FORBIDDEN_HEADERS) and would then compress the already
 * compressed bytes again. A handler that answers with bytes it compressed once and cached marks them
 * with this header instead; the server (start.ts) turns it back into Content-Encoding before Next's
 * own compression looks, which then leaves the body alone.
 */
export const PRECOMPRESSED_HEADER = 'x-morphsweep-content-encoding';

// On globalThis: Next may evaluate this module once per route bundle, apart from start.ts's copy.
const globals = globalThis as { __morphsweepRestoresPrecompressed?: boolean };

/**
 * Whether this process's server renames the header (startWebServer does; a plain `next start` does
 * not, and there a handler must send identity bytes).
 */
export function canSendPrecompressed(): boolean {
  return globals.__morphsweepRestoresPrecompressed === true;
}

/** Makes `res` rename PRECOMPRESSED_HEADER to Content-Encoding whenever a header is set on it. */
export function restorePrecompressedEncoding(res: http.ServerResponse): void {
  globals.__morphsweepRestoresPrecompressed = true;
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) =>
    name.toLowerCase() === PRECOMPRESSED_HEADER ? setHeader('content-encoding', value) : setHeader(name, value);
}
