import { getRetrain } from '../../../../../src/db/repositories/queries.ts';
import { notFound } from '../../../../lib/server/errors.ts';
import { jsonResponse } from '../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../lib/server/route.ts';
import { getPrisma } from '../../../../lib/server/services.ts';
import { retrainView } from '../../../../lib/server/views.ts';

export const GET = apiRoute<{ id: string }>(async (_request, { id }) => {
  const retrain = await getRetrain(getPrisma(), id);
  if (!retrain) throw notFound('retrain', id);
  return jsonResponse(retrainView(retrain));
});
