import { getSweepDetail } from '../../../../../src/db/repositories/queries.ts';
import type { SweepProgress } from '../../../../../src/sweep/progress.ts';
import { querySweepProgress } from '../../../../../src/temporal/sweeps.ts';
import { notFound } from '../../../../lib/server/errors.ts';
import { jsonResponse } from '../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../lib/server/route.ts';
import { getPrisma, getSweepDeps } from '../../../../lib/server/services.ts';
import { sweepDetailView } from '../../../../lib/server/views.ts';

/** The stored state is always answered; the workflow's live view is a bonus that must not stall it. */
const LIVE_QUERY_TIMEOUT_MS = 2_000;

async function liveProgressOrNull(sweepId: string): Promise<SweepProgress | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), LIVE_QUERY_TIMEOUT_MS);
  });
  try {
    const query = getSweepDeps().then((deps) => querySweepProgress(deps, sweepId));
    query.catch(() => {}); // a late failure after the timeout won must not go unhandled
    return await Promise.race([query, timeout]);
  } catch (error) {
    console.warn(`[api] live progress of sweep ${sweepId} unavailable: ${(error as Error).message}`);
    return null;
  } finally {
    clearTimeout(timer);
  }
}

export const GET = apiRoute<{ id: string }>(async (_request, { id }) => {
  const sweep = await getSweepDetail(getPrisma(), id);
  if (!sweep) throw notFound('sweep', id);
  const active = sweep.status === 'queued' || sweep.status === 'running';
  const live = active ? await liveProgressOrNull(id) : null;
  return jsonResponse(sweepDetailView(sweep, live));
});
