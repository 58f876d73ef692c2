import type { Prisma, PrismaClient } from '../client.ts';
import type { ExportedLayersModel } from '../../models/user-model-json.ts';

/** A retrained network as TF.js Layers artifacts, for download. Written before the retrain completes. */

export async function saveRetrainExport(prisma: PrismaClient, retrainId: string, exported: ExportedLayersModel): Promise<void> {
  const data = {
    topology: exported.modelTopology as Prisma.InputJsonValue,
    weightSpecs: exported.weightSpecs as unknown as Prisma.InputJsonValue,
    weights: Buffer.from(exported.weightData),
    metadata: (exported.metadata ?? undefined) as Prisma.InputJsonValue | undefined,
  };
  await prisma.retrainExport.upsert({ where: { retrainId }, create: { retrainId, ...data }, update: data });
}

export async function getRetrainExport(prisma: PrismaClient, retrainId: string): Promise<ExportedLayersModel | null> {
  const row = await prisma.retrainExport.findUnique({ where: { retrainId } });
  if (!row) return null;
  return {
    modelTopology: row.topology as Record<string, unknown>,
    weightSpecs: row.weightSpecs as unknown as ExportedLayersModel['weightSpecs'],
    weightData: new Uint8Array(row.weights),
    ...(row.metadata ? { metadata: row.metadata as Record<string, unknown> } : {}),
  };
}
