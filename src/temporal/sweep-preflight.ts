import type { PrismaClient } from '../db/client.ts';
import { getUserModelArtifacts, UserModelNotFoundError } from '../db/repositories/user-models.ts';
import { DatasetError, inspectDataset } from '../data/index.ts';
import { checkUserModel, describeProblem, storedModelJson } from '../models/user-model.ts';
import { InvalidSweepConfigError, isUserNetwork, type ConfigProblem, type SweepConfig } from '../sweep/config.ts';

/**
 * What a sweep on the user's own network or data must pass before its row is written: the dataset's
 * files read and check (an .npz whole, every problem named; no splits are built or kept), and the
 * stored model fits the dataset and the regularizer. Problems come back as one
 * InvalidSweepConfigError, each under the field to change. The files are read in this process, so
 * the API server must see an npz path too (as every worker must).
 */
export async function preflightSweep(prisma: PrismaClient, config: SweepConfig): Promise<{ warnings: string[] }> {
  const problems: ConfigProblem[] = [];
  let dataset: Awaited<ReturnType<typeof inspectDataset>> | undefined;
  try {
    dataset = await inspectDataset(config.dataset);
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    problems.push({ path: 'dataset', message: error.message, value: config.dataset });
  }
  const warnings: string[] = [];
  if (isUserNetwork(config.network)) {
    const modelId = config.network.model;
    try {
      const artifacts = await getUserModelArtifacts(prisma, modelId);
      if (config.network.initialWeights === 'stored' && artifacts.weightData === undefined) {
        problems.push({
          path: 'network.initialWeights',
          message: 'the stored model has no weights to start from; upload it with its weights, or set initialWeights to "fresh"',
          value: 'stored',
        });
      }
      const report = await checkUserModel(storedModelJson(artifacts), artifacts.weightData, {
        algorithm: config.regularizer.algorithm,
        cost: config.regularizer.cost,
        ...(dataset ? { inputShape: dataset.inputShape, numClasses: dataset.numClasses } : {}),
      });
      for (const problem of report.problems) problems.push({ path: 'network.model', message: describeProblem(problem), value: modelId });
      warnings.push(...report.warnings.map(describeProblem));
    } catch (error) {
      if (!(error instanceof UserModelNotFoundError)) throw error;
      problems.push({ path: 'network.model', message: error.message, value: modelId });
    }
  }
  if (problems.length > 0) throw new InvalidSweepConfigError(problems);
  return { warnings };
}
