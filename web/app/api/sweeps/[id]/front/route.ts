import { FrontQuerySchema } from '../../../../../../src/client/wire.ts';
import { getFrontData, getFrontFingerprint } from '../../../../../../src/db/repositories/queries.ts';
import { notFound } from '../../../../../lib/server/errors.ts';
import { cachedFront, storeFront } from '../../../../../lib/server/front-cache.ts';
import { buildFront } from '../../../../../lib/server/front.ts';
import { parseQuery } from '../../../../../lib/server/request.ts';
import { rawJsonResponse } from '../../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';
import { getPrisma } from '../../../../../lib/server/services.ts';

export const GET = apiRoute<{ id: string }>(async (request, { id }) => {
  const query = parseQuery(request, FrontQuerySchema);
  const prisma = getPrisma();
  const state = await getFrontFingerprint(prisma, id);
  if (!state) throw notFound('sweep', id);
  const cost = query.cost ?? state.costAxis;
  const cached = cachedFront(id, cost, state.fingerprint);
  if (cached) return rawJsonResponse(cached);
  const data = await getFrontData(prisma, id, cost);
  if (!data) throw notFound('sweep', id);
  const json = new TextEncoder().encode(JSON.stringify(buildFront(id, cost, data)));
  storeFront(id, cost, state.fingerprint, json);
  return rawJsonResponse(json);
});
