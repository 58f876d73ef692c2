import { FrontQuerySchema } from '../../../../../../src/client/wire.ts';
import { getFrontData, getSweepCostAxis } from '../../../../../../src/db/repositories/queries.ts';
import type { CostKind } from '../../../../../../src/sweep/config.ts';
import { notFound } from '../../../../../lib/server/errors.ts';
import { buildFront } from '../../../../../lib/server/front.ts';
import { parseQuery } from '../../../../../lib/server/request.ts';
import { jsonResponse } from '../../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';
import { getPrisma } from '../../../../../lib/server/services.ts';

export const GET = apiRoute<{ id: string }>(async (request, { id }) => {
  const query = parseQuery(request, FrontQuerySchema);
  const prisma = getPrisma();
  const cost: CostKind | null = query.cost ?? (await getSweepCostAxis(prisma, id));
  if (!cost) throw notFound('sweep', id);
  const data = await getFrontData(prisma, id, cost);
  if (!data) throw notFound('sweep', id);
  return jsonResponse(buildFront(id, cost, data));
});
