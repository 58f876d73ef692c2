import { getUserModelInfo } from '../../../../../src/db/repositories/user-models.ts';
import { notFound } from '../../../../lib/server/errors.ts';
import { jsonResponse } from '../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../lib/server/route.ts';
import { getPrisma } from '../../../../lib/server/services.ts';

/** Ids hold a colon ("sha256:..."), which clients may send percent-encoded; a stray % is just not an id. */
function modelIdOf(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

export const GET = apiRoute<{ id: string }>(async (_request, { id }) => {
  const modelId = modelIdOf(id);
  const model = await getUserModelInfo(getPrisma(), modelId);
  if (!model) throw notFound('model', modelId);
  return jsonResponse({ modelId: model.id, summary: model.summary, sizeBytes: model.sizeBytes, createdAt: model.createdAt.toISOString() });
});
