import type { PrismaClient } from '../db/client.ts';
import { storeUserModel } from '../db/repositories/user-models.ts';
import { describeProblem, requireSweepableModel, userModelId, type UserModelSummary } from '../models/user-model.ts';

/**
 * Storing a user's network: what the CLI (a config's model path) and the HTTP API (POST /api/models)
 * call. The model is checked on its own first (classes, size, prunable layers); nothing is written
 * when it fails. Checks against a dataset and regularizer come when a sweep names it.
 */
export async function registerUserModel(
  prisma: PrismaClient,
  modelJson: unknown,
  weightData: Uint8Array | undefined,
): Promise<{ modelId: string; created: boolean; summary: UserModelSummary; warnings: string[] }> {
  const report = await requireSweepableModel(modelJson, weightData);
  const { artifacts } = report;
  const modelId = userModelId(artifacts);
  const sizeBytes = Buffer.byteLength(JSON.stringify(artifacts.modelTopology)) + (weightData?.byteLength ?? 0);
  const { created } = await storeUserModel(prisma, { id: modelId, artifacts, summary: report.summary, sizeBytes });
  return { modelId, created, summary: report.summary, warnings: report.warnings.map(describeProblem) };
}
