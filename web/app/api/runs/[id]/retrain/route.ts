import { RetrainRequestSchema } from '../../../../../../src/client/wire.ts';
import { getRunStatus } from '../../../../../../src/db/repositories/queries.ts';
import { startRetrain } from '../../../../../../src/temporal/sweeps.ts';
import { ApiError, notFound } from '../../../../../lib/server/errors.ts';
import { readIdempotencyKey } from '../../../../../lib/server/idempotency.ts';
import { parseWith, readJsonBody } from '../../../../../lib/server/request.ts';
import { jsonResponse } from '../../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';
import { getPrisma, getSweepDeps } from '../../../../../lib/server/services.ts';

export const POST = apiRoute<{ id: string }>(async (request, { id }) => {
  const idempotencyKey = readIdempotencyKey(request);
  // No body retrains the learned structure as it is.
  const options = parseWith(RetrainRequestSchema, await readJsonBody(request, { emptyValue: {} }), 'body');
  const status = await getRunStatus(getPrisma(), id);
  if (!status) throw notFound('run', id);
  if (status !== 'completed') {
    throw new ApiError(409, 'run_not_completed', `run ${id} is ${status}; only a completed run has a structure to retrain`, {
      status,
    });
  }
  // A retry with the same key (a client's retry, a double click) answers with the retrain it made.
  const { retrainId, created } = await startRetrain(await getSweepDeps(), id, options, { idempotencyKey });
  return jsonResponse({ retrainId }, created ? 202 : 200, { location: `/api/retrains/${retrainId}` });
});
