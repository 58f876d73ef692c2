import { SweepListQuerySchema } from '../../../../src/client/wire.ts';
import { listSweepsPage } from '../../../../src/db/repositories/queries.ts';
import { parseSweepConfig } from '../../../../src/sweep/config.ts';
import { startSweep } from '../../../../src/temporal/sweeps.ts';
import { readIdempotencyKey } from '../../../lib/server/idempotency.ts';
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
  // A retry with the same key and body answers with the sweep it made (starting it if an earlier
  // try could not); the same key with another body is a 409, also when the two requests race.
  const { sweepId, created, warnings } = await startSweep(await getSweepDeps(), config, { idempotencyKey });
  return jsonResponse({ sweepId, created, ...(warnings ? { warnings } : {}) }, created ? 201 : 200, { location: `/api/sweeps/${sweepId}` });
});
