import type { Evidence, Prisma, PrismaClient, Retrain } from '../client.ts';
import type { EvidenceArm, EvidenceSummary } from '../../sweep/evidence.ts';

/** The Evidence table and its arms (Retrain rows with evidenceId, arm and seed). */

export class EvidenceNotFoundError extends Error {
  constructor(readonly evidenceId: string) {
    super(`no evidence run with id "${evidenceId}"`);
    this.name = 'EvidenceNotFoundError';
  }
}

export interface EvidenceArmRegistration {
  retrainId: string;
  arm: EvidenceArm;
  seed: number;
  widthMultiplier: number;
  targetCost?: number;
}

export async function insertEvidence(
  prisma: PrismaClient,
  evidence: { id: string; runId: string; seeds: number; expandTo?: number; costAxis: string },
): Promise<Evidence> {
  return prisma.evidence.create({
    data: { id: evidence.id, runId: evidence.runId, seeds: evidence.seeds, expandTo: evidence.expandTo ?? null, costAxis: evidence.costAxis },
  });
}

export async function getEvidenceRow(prisma: PrismaClient, evidenceId: string): Promise<Evidence & { retrains: Retrain[] }> {
  const evidence = await prisma.evidence.findUnique({ where: { id: evidenceId }, include: { retrains: { orderBy: [{ arm: 'asc' }, { seed: 'asc' }] } } });
  if (!evidence) throw new EvidenceNotFoundError(evidenceId);
  return evidence;
}

/** Idempotent (a retried plan registers nothing twice); marks the evidence running. */
export async function registerEvidenceArms(
  prisma: PrismaClient,
  evidenceId: string,
  arms: EvidenceArmRegistration[],
  totalSteps: number,
): Promise<void> {
  const evidence = await getEvidenceRow(prisma, evidenceId);
  await prisma.$transaction([
    prisma.retrain.createMany({
      data: arms.map((arm) => ({
        id: arm.retrainId,
        runId: evidence.runId,
        evidenceId,
        arm: arm.arm,
        seed: arm.seed,
        widthMultiplier: arm.widthMultiplier,
        targetCost: arm.targetCost ?? null,
        costAxis: evidence.costAxis,
        totalSteps,
      })),
      skipDuplicates: true,
    }),
    prisma.evidence.updateMany({ where: { id: evidenceId, status: 'pending' }, data: { status: 'running' } }),
  ]);
}

export async function finishEvidence(
  prisma: PrismaClient,
  evidenceId: string,
  outcome: { status: 'completed' | 'failed' | 'cancelled'; summary?: EvidenceSummary; error?: string },
): Promise<void> {
  await prisma.evidence.updateMany({
    where: { id: evidenceId, status: { notIn: ['completed'] } },
    data: {
      status: outcome.status,
      summary: (outcome.summary ?? undefined) as Prisma.InputJsonValue | undefined,
      error: outcome.error ?? null,
      finishedAt: new Date(),
    },
  });
}

/** Evidence runs of every run of a sweep, oldest first (the front draws their arms). */
export async function evidenceOfSweep(prisma: PrismaClient, sweepId: string): Promise<Array<Evidence & { retrains: Retrain[] }>> {
  return prisma.evidence.findMany({
    where: { run: { sweepId } },
    include: { retrains: { orderBy: [{ arm: 'asc' }, { seed: 'asc' }] } },
    orderBy: { createdAt: 'asc' },
  });
}
