import { getSweepStatus } from '../../../../../../src/db/repositories/queries.ts';
import { notFound } from '../../../../../lib/server/errors.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';
import { getPrisma } from '../../../../../lib/server/services.ts';
import { sweepEventStream } from '../../../../../lib/server/sweep-events.ts';

export const GET = apiRoute<{ id: string }>(async (request, { id }) => {
  const prisma = getPrisma();
  if (!(await getSweepStatus(prisma, id))) throw notFound('sweep', id);
  return new Response(sweepEventStream(prisma, id, request.signal), {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise buffer the stream and deliver it in lumps.
      'x-accel-buffering': 'no',
    },
  });
});
