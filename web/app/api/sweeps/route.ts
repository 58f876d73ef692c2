import { SweepListQuerySchema } from '../../../../src/client/wire.ts';
import { findSweepByIdempotencyKey, listSweepsPage } from '../../../../src/db/repositories/queries.ts';
import { parseSweepConfig } from '../../../../src/sweep/config.ts';
import { startSweep } from '../../../../src/temporal/sweeps.ts';
import { ApiError } from '../../../lib/server/errors.ts';
import { canonicalJson, readIdempotencyKey } from '../../../lib/server/idempotency.ts';
import { parseQuery, readJsonBody } from '../../../lib/server/request.ts';
import { jsonResponse } from '../../../lib/server/responses.ts';
import { apiRoute } from '../../../lib/server/route.ts';
import { getPrisma, getSweepDeps } from '../../../lib/server/services.ts';
import { sweepSummaryView } from '../../../lib/server/views.ts';

export const GET = apiRoute(async (request) => {
  const query = parseQuery(request, SweepListQuerySchema);
  const page = await listSweepsPage(getPrisma(), {
    statuses: query.status,
    tag: query.tag,
    limit: query.limit,
    cursor: query.cursor,
  });
  return jsonResponse({ items: page.items.map(sweepSummaryView), nextCursor: page.nextCursor });
});

export const POST = apiRoute(async (request) => {
  const idempotencyKey = readIdempotencyKey(request);
  const config = parseSweepConfig(await readJsonBody(request));
  if (idempotencyKey) {
    // A retry of the same request answers with the sweep it made; a different request under a used key
    // is a client bug that must not silently return someone else's sweep.
    const earlier = await findSweepByIdempotencyKey(getPrisma(), idempotencyKey);
    if (earlier) {
      if (canonicalJson(earlier.config) !== canonicalJson(config)) {
        throw new ApiError(
          409,
          'idempotency_key_reused',
          `Idempotency-Key "${idempotencyKey}" was already used for sweep ${earlier.id} with a different config; use a new key for a new sweep`,
          { sweepId: earlier.id },
        );
      }
      return jsonResponse({ sweepId: earlier.id, created: false }, 200, { location: `/api/sweeps/${earlier.id}` });
    }
  }
  const { sweepId, created, warnings } = await startSweep(await getSweepDeps(), config, { idempotencyKey });
  return jsonResponse({ sweepId, created, ...(warnings ? { warnings } : {}) }, created ? 201 : 200, { location: `/api/sweeps/${sweepId}` });
});
