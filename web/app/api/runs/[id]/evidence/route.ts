import { EvidenceRequestSchema } from '../../../../../../src/client/wire.ts';
import { getRunStatus } from '../../../../../../src/db/repositories/queries.ts';
import { startEvidence } from '../../../../../../src/temporal/evidence.ts';
import { ApiError, notFound } from '../../../../../lib/server/errors.ts';
import { parseWith, readJsonBody } from '../../../../../lib/server/request.ts';
import { jsonResponse } from '../../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';
import { getPrisma, getSweepDeps } from '../../../../../lib/server/services.ts';

export const POST = apiRoute<{ id: string }>(async (request, { id }) => {
  // No body: 3 seeds per arm, no expansion.
  const options = parseWith(EvidenceRequestSchema, await readJsonBody(request, { emptyValue: {} }), 'body');
  const status = await getRunStatus(getPrisma(), id);
  if (!status) throw notFound('run', id);
  if (status !== 'completed') {
    throw new ApiError(409, 'run_not_completed', `run ${id} is ${status}; only a completed run has a structure to compare`, { status });
  }
  const { evidenceId } = await startEvidence(await getSweepDeps(), id, options);
  return jsonResponse({ evidenceId }, 202, { location: `/api/evidence/${evidenceId}` });
});
