import type { PrismaClient } from '../client.ts';

/** Curve points: (run, step) is the primary key, so a resumed run re-reporting a step adds nothing. */

export interface CurvePointInput {
  step: number;
  taskLoss: number;
  regLoss: number;
  cost: number;
  valAccuracy: number | null;
}

/** One INSERT ... ON CONFLICT DO NOTHING for the whole batch. */
export async function appendCurvePoints(prisma: PrismaClient, runId: string, points: CurvePointInput[]): Promise<number> {
  if (points.length === 0) return 0;
  const { count } = await prisma.curvePoint.createMany({
    data: points.map((point) => ({ runId, ...point })),
    skipDuplicates: true,
  });
  return count;
}

export async function curveOfRun(prisma: PrismaClient, runId: string) {
  return prisma.curvePoint.findMany({ where: { runId }, orderBy: { step: 'asc' } });
}
