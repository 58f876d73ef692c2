import { createHash } from 'node:crypto';

/**
 * Conditional GETs and content coding for large, often-repeated answers (the front): an ETag from
 * what the answer was built from, so a poller whose copy is current gets a bodiless 304, and a
 * choice of gzip from Accept-Encoding.
 */

/**
 * Weak: the gzip and identity bodies differ in bytes but not in meaning. `version` names the body's
 * format so a server upgrade that changes the format does not answer 304 to a copy in the old one.
 */
export function weakEtag(version: string, ...parts: string[]): string {
  const hash = createHash('sha256').update([version, ...parts].join('\u0000')).digest('base64url').slice(0, 27);
  return `W/"${hash}"`;
}

function opaqueTag(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

/** If-None-Match with weak comparison (RFC 9110 13.1.2): true when the caller already holds `etag`. */
export function ifNoneMatchHits(request: Request, etag: string): boolean {
  const header = request.headers.get('if-none-match');
  if (header === null) return false;
  if (header.trim() === '*') return true;
  const wanted = opaqueTag(etag);
  return header.split(',').some((tag) => opaqueTag(tag) === wanted);
}

/** Whether Accept-Encoding allows gzip (listed, or `*`, with a non-zero q, and not refused by name). */
export function acceptsGzip(request: Request): boolean {
  const header = request.headers.get('accept-encoding');
  if (!header) return false;
  const qualities = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    const quality = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (name) qualities.set(name, Number.isFinite(quality) ? quality : 0);
  }
  const named = qualities.get('gzip') ?? qualities.get('x-gzip');
  return named !== undefined ? named > 0 : (qualities.get('*') ?? 0) > 0;
}
