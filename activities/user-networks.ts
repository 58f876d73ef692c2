import type { PrismaClient } from '../src/db/client.ts';
import { getUserModelArtifacts } from '../src/db/repositories/user-models.ts';
import type { Dataset } from '../src/data/index.ts';
import { buildUserModel, requireSweepableModel, storedModelJson, type BuiltUserModel, type UserModelArtifacts } from '../src/models/user-model.ts';
import { isUserNetwork, type SweepConfig } from '../src/sweep/config.ts';

/**
 * A worker builds run after run of the same user model: its stored artifacts are read from Postgres
 * once per process (content-addressed, so a cached copy can never be stale).
 */
const artifactsById = new Map<string, Promise<UserModelArtifacts>>();

function storedArtifacts(prisma: PrismaClient, modelId: string): Promise<UserModelArtifacts> {
  const cached = artifactsById.get(modelId);
  if (cached) return cached;
  const loading = getUserModelArtifacts(prisma, modelId);
  artifactsById.set(modelId, loading);
  loading.catch(() => artifactsById.delete(modelId));
  return loading;
}

export async function buildStoredUserModel(
  prisma: PrismaClient,
  modelId: string,
  options: { gated: boolean; withWeights: boolean; gateSeed: number },
): Promise<BuiltUserModel> {
  return buildUserModel(await storedArtifacts(prisma, modelId), options);
}

/** For a user model: every problem against this worker's dataset, as an InvalidUserModelError. */
export async function checkStoredUserModel(prisma: PrismaClient, config: SweepConfig, dataset: Dataset): Promise<void> {
  if (!isUserNetwork(config.network)) return;
  const artifacts = await storedArtifacts(prisma, config.network.model);
  await requireSweepableModel(storedModelJson(artifacts), artifacts.weightData, {
    algorithm: config.regularizer.algorithm,
    cost: config.regularizer.cost,
    inputShape: dataset.inputShape,
    numClasses: dataset.numClasses,
  });
}
