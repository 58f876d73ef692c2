import { evidenceOfSweep } from '../../../../../../src/db/repositories/evidence.ts';
import { getSweep } from '../../../../../../src/db/repositories/sweeps.ts';
import { evidenceView } from '../../../../../lib/server/evidence-view.ts';
import { jsonResponse } from '../../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../../lib/server/route.ts';
import { getPrisma } from '../../../../../lib/server/services.ts';

export const GET = apiRoute<{ id: string }>(async (_request, { id }) => {
  const prisma = getPrisma();
  await getSweep(prisma, id);
  const evidence = await evidenceOfSweep(prisma, id);
  return jsonResponse({ evidence: evidence.map((row) => evidenceView(row, id)) });
});
