import { RetrainRequestSchema } from '../../../../../../src/client/wire.ts';
import { getRunStatus } from '../../../../../../src/db/repositories/queries.ts';
import { startRetrain } from '../../../../../../src/temporal/sweeps.ts';
import { ApiError, notFound } from '../../../../../lib/server/errors.ts';
import { parseWith, readJsonBody } from '../../../../../lib/server/request.ts';
import { jsonResponse } from '../../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';
import { getPrisma, getSweepDeps } from '../../../../../lib/server/services.ts';

export const POST = apiRoute<{ id: string }>(async (request, { id }) => {
  // No body retrains the learned structure as it is.
  const options = parseWith(RetrainRequestSchema, await readJsonBody(request, { emptyValue: {} }), 'body');
  const status = await getRunStatus(getPrisma(), id);
  if (!status) throw notFound('run', id);
  if (status !== 'completed') {
    throw new ApiError(409, 'run_not_completed', `run ${id} is ${status}; only a completed run has a structure to retrain`, {
      status,
    });
  }
  const { retrainId } = await startRetrain(await getSweepDeps(), id, options);
  return jsonResponse({ retrainId }, 202, { location: `/api/retrains/${retrainId}` });
});
