import { getRunDetail } from '../../../../../src/db/repositories/queries.ts';
import { notFound } from '../../../../lib/server/errors.ts';
import { layerWidthsOf } from '../../../../lib/server/layers.ts';
import { jsonResponse } from '../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../lib/server/route.ts';
import { getPrisma } from '../../../../lib/server/services.ts';
import { runDetailView } from '../../../../lib/server/views.ts';

export const GET = apiRoute<{ id: string }>(async (_request, { id }) => {
  const run = await getRunDetail(getPrisma(), id);
  if (!run) throw notFound('run', id);
  return jsonResponse(runDetailView(run, run.structure ? layerWidthsOf(run.structure) : null));
});
