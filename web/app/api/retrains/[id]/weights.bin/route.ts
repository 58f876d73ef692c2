import { requireRetrainExport } from '../../../../../lib/server/retrain-export.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';

export const GET = apiRoute<{ id: string }>(async (_request, { id }) => {
  const exported = await requireRetrainExport(id);
  return new Response(Buffer.from(exported.weightData), {
    status: 200,
    headers: {
      'content-type': 'application/octet-stream',
      'content-disposition': 'attachment; filename="weights.bin"',
      'cache-control': 'no-store',
    },
  });
});
