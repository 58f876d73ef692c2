import { getSweepStatus } from '../../../../../../src/db/repositories/queries.ts';
import { cancelSweep } from '../../../../../../src/temporal/sweeps.ts';
import { ApiError, notFound } from '../../../../../lib/server/errors.ts';
import { jsonResponse } from '../../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';
import { getPrisma, getSweepDeps } from '../../../../../lib/server/services.ts';

export const POST = apiRoute<{ id: string }>(async (_request, { id }) => {
  const prisma = getPrisma();
  const status = await getSweepStatus(prisma, id);
  if (!status) throw notFound('sweep', id);
  if (status === 'completed' || status === 'failed' || status === 'cancelled') {
    throw new ApiError(409, 'sweep_finished', `sweep ${id} is already ${status}; only queued or running sweeps can be cancelled`, {
      status,
    });
  }
  await cancelSweep(await getSweepDeps(), id);
  // The workflow finishes cancelling on its own time; the status says how far it got.
  return jsonResponse({ sweepId: id, status: (await getSweepStatus(prisma, id)) ?? status }, 202);
});
