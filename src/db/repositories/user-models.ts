import type { Prisma, PrismaClient, UserModel } from '../client.ts';
import { isUniqueViolation } from './sweeps.ts';
import type { UserModelArtifacts, UserModelSummary, WeightSpec } from '../../models/user-model-json.ts';

/** The UserModel table: a user's network stored once under its content address. */

export class UserModelNotFoundError extends Error {
  constructor(readonly modelId: string) {
    super(`no stored model "${modelId}"; upload its model.json first (POST /api/models, or a config whose network.model is a path)`);
    this.name = 'UserModelNotFoundError';
  }
}

/** Insert unless stored already (same content, same id); returns whether this call stored it. */
export async function storeUserModel(
  prisma: PrismaClient,
  model: { id: string; artifacts: UserModelArtifacts; summary: UserModelSummary; sizeBytes: number },
): Promise<{ created: boolean }> {
  const existing = await prisma.userModel.findUnique({ where: { id: model.id }, select: { id: true } });
  if (existing) return { created: false };
  try {
    await prisma.userModel.create({
      data: {
        id: model.id,
        name: model.summary.name,
        topology: model.artifacts.modelTopology as Prisma.InputJsonValue,
        weightSpecs: (model.artifacts.weightSpecs ?? undefined) as Prisma.InputJsonValue | undefined,
        weights: model.artifacts.weightData ? Buffer.from(model.artifacts.weightData) : null,
        sizeBytes: model.sizeBytes,
        summary: model.summary as unknown as Prisma.InputJsonValue,
      },
    });
    return { created: true };
  } catch (error) {
    // A concurrent upload of the same content won the insert: the row is the same.
    if (isUniqueViolation(error)) return { created: false };
    throw error;
  }
}

/** The row without its weights (what the API shows). */
export async function getUserModelInfo(prisma: PrismaClient, modelId: string): Promise<Omit<UserModel, 'weights' | 'topology' | 'weightSpecs'> | null> {
  return prisma.userModel.findUnique({
    where: { id: modelId },
    select: { id: true, name: true, sizeBytes: true, summary: true, createdAt: true },
  });
}

export async function getUserModelArtifacts(prisma: PrismaClient, modelId: string): Promise<UserModelArtifacts> {
  const row = await prisma.userModel.findUnique({ where: { id: modelId } });
  if (!row) throw new UserModelNotFoundError(modelId);
  return {
    modelTopology: row.topology as Record<string, unknown>,
    ...(row.weights ? { weightSpecs: row.weightSpecs as unknown as WeightSpec[], weightData: new Uint8Array(row.weights) } : {}),
  };
}
