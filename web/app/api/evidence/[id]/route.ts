import { getEvidenceRow } from '../../../../../src/db/repositories/evidence.ts';
import { getRun } from '../../../../../src/db/repositories/runs.ts';
import { evidenceView } from '../../../../lib/server/evidence-view.ts';
import { jsonResponse } from '../../../../lib/server/responses.ts';
import { apiRoute } from '../../../../lib/server/route.ts';
import { getPrisma } from '../../../../lib/server/services.ts';

export const GET = apiRoute<{ id: string }>(async (_request, { id }) => {
  const prisma = getPrisma();
  const evidence = await getEvidenceRow(prisma, id);
  const run = await getRun(prisma, evidence.runId);
  return jsonResponse(evidenceView(evidence, run.sweepId));
});
