import { FrontQuerySchema } from '../../../../../../src/client/wire.ts';
import { getFrontData, getFrontFingerprint } from '../../../../../../src/db/repositories/queries.ts';
import type { CostKind } from '../../../../../../src/sweep/config.ts';
import { acceptsGzip, ifNoneMatchHits, weakEtag } from '../../../../../lib/server/conditional.ts';
import { notFound } from '../../../../../lib/server/errors.ts';
import { cachedFront, gzippedFront, storeFront, type CachedFront } from '../../../../../lib/server/front-cache.ts';
import { buildFront } from '../../../../../lib/server/front.ts';
import { canSendPrecompressed, PRECOMPRESSED_HEADER } from '../../../../../lib/server/precompressed.ts';
import { parseQuery } from '../../../../../lib/server/request.ts';
import { rawJsonResponse } from '../../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';
import { getPrisma } from '../../../../../lib/server/services.ts';

/** Bump when the Front body's shape changes, so copies in the old shape stop matching their ETag. */
const FRONT_FORMAT_VERSION = 'front-1';
/**
 * Private caches (a browser) may keep the front but must revalidate it: a 304 is cheap, a stale front
 * is wrong. no-transform: the server's own compression must not spend ~30 ms of CPU per answer
 * re-compressing a megabyte that a client refused gzip for (a gzip-capable client gets the cached
 * gzip copy).
 */
const FRONT_CACHE_CONTROL = 'private, no-cache, no-transform';

async function buildAndStore(sweepId: string, cost: CostKind, fingerprint: string): Promise<CachedFront> {
  const data = await getFrontData(getPrisma(), sweepId, cost);
  if (!data) throw notFound('sweep', sweepId);
  const json = new TextEncoder().encode(JSON.stringify(buildFront(sweepId, cost, data)));
  return storeFront(sweepId, cost, fingerprint, json);
}

export const GET = apiRoute<{ id: string }>(async (request, { id }) => {
  const query = parseQuery(request, FrontQuerySchema);
  const state = await getFrontFingerprint(getPrisma(), id);
  if (!state) throw notFound('sweep', id);
  const cost = query.cost ?? state.costAxis;
  const etag = weakEtag(FRONT_FORMAT_VERSION, id, cost, state.fingerprint);
  const headers = { etag, 'cache-control': FRONT_CACHE_CONTROL, vary: 'accept-encoding' };
  if (ifNoneMatchHits(request, etag)) return new Response(null, { status: 304, headers });
  const entry = cachedFront(id, cost, state.fingerprint) ?? (await buildAndStore(id, cost, state.fingerprint));
  if (canSendPrecompressed() && acceptsGzip(request)) return rawJsonResponse(await gzippedFront(entry), 200, { ...headers, [PRECOMPRESSED_HEADER]: 'gzip' });
  return rawJsonResponse(entry.json, 200, headers);
});
