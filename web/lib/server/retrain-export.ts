import { getRetrainExport } from '../../../src/db/repositories/retrain-exports.ts';
import { getRetrain } from '../../../src/db/repositories/queries.ts';
import type { ExportedLayersModel } from '../../../src/models/user-model-json.ts';
import { ApiError, notFound } from './errors.ts';
import { getPrisma } from './services.ts';

/** The retrained network of a retrain, or the API error that says why there is none yet. */
export async function requireRetrainExport(retrainId: string): Promise<ExportedLayersModel> {
  const exported = await getRetrainExport(getPrisma(), retrainId);
  if (exported) return exported;
  const retrain = await getRetrain(getPrisma(), retrainId);
  if (!retrain) throw notFound('retrain', retrainId);
  throw new ApiError(
    409,
    'model_not_ready',
    retrain.status === 'completed'
      ? `retrain ${retrainId} finished before models were exported; retrain the run again to get a downloadable model`
      : `retrain ${retrainId} is ${retrain.status}; its model is stored when it completes`,
    { status: retrain.status },
  );
}
