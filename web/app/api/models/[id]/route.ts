import { getUserModelInfo } from '../../../../../src/db/repositories/user-models.ts';
import { notFound } from '../../../../lib/server/errors.ts';
import { jsonResponse } from '../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../lib/server/route.ts';
import { getPrisma } from '../../../../lib/server/services.ts';

export const GET = apiRoute<{ id: string }>(async (_request, { id }) => {
  const modelId = decodeURIComponent(id);
  const model = await getUserModelInfo(getPrisma(), modelId);
  if (!model) throw notFound('model', modelId);
  return jsonResponse({ modelId: model.id, summary: model.summary, sizeBytes: model.sizeBytes, createdAt: model.createdAt.toISOString() });
});
