import { StructureQuerySchema } from '../../../../../../src/client/wire.ts';
import { getRunStructure } from '../../../../../../src/db/repositories/queries.ts';
import { ApiError, notFound } from '../../../../../lib/server/errors.ts';
import { morphNetView } from '../../../../../lib/server/layers.ts';
import { parseQuery } from '../../../../../lib/server/request.ts';
import { jsonResponse } from '../../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';
import { getPrisma } from '../../../../../lib/server/services.ts';

export const GET = apiRoute<{ id: string }>(async (request, { id }) => {
  const { format } = parseQuery(request, StructureQuerySchema);
  const run = await getRunStructure(getPrisma(), id);
  if (!run) throw notFound('run', id);
  if (run.structure === null) {
    throw new ApiError(409, 'structure_not_ready', `run ${id} is ${run.status}; its structure is stored when it completes`, {
      status: run.status,
    });
  }
  const body = format === 'morphnet' ? morphNetView(run.structure) : run.structure;
  return jsonResponse(body, 200, { 'content-disposition': `inline; filename="${id}-structure${format === 'morphnet' ? '-morphnet' : ''}.json"` });
});
