import { exportedModelJson } from '../../../../../../src/models/user-model-json.ts';
import { jsonResponse } from '../../../../../lib/server/responses.ts';
import { requireRetrainExport } from '../../../../../lib/server/retrain-export.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';

/** Its weightsManifest names weights.bin: tf.loadLayersModel(<this URL>) fetches /api/retrains/{id}/weights.bin beside it. */
export const GET = apiRoute<{ id: string }>(async (_request, { id }) => {
  const exported = await requireRetrainExport(id);
  return jsonResponse(exportedModelJson(exported, `MorphSweep retrain ${id}`), 200, { 'content-disposition': 'attachment; filename="model.json"' });
});
