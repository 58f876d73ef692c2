import { dirname, isAbsolute, resolve } from 'node:path';
import type { PrismaClient } from '../db/client.ts';
import { InvalidSweepConfigError, USER_MODEL_ID_PATTERN } from '../sweep/config.ts';

/**
 * The paths a config file may hold, relative to the file: `network.model` names a model.json, which
 * is read with its weight files and stored (its id takes the path's place), and an `npz:` dataset
 * path is made absolute, since workers resolve it elsewhere. Anything else passes through for the
 * schema to judge.
 */
export async function resolveConfigPaths(
  config: unknown,
  configPath: string,
  prisma: PrismaClient,
  report: (line: string) => void,
): Promise<unknown> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return config;
  const resolved = { ...(config as Record<string, unknown>) };
  const baseDir = dirname(resolve(configPath));
  if (typeof resolved.dataset === 'string' && resolved.dataset.trim().startsWith('npz:')) {
    const path = resolved.dataset.trim().slice('npz:'.length);
    if (path && !isAbsolute(path)) resolved.dataset = `npz:${resolve(baseDir, path)}`;
  }
  const network = resolved.network as Record<string, unknown> | undefined;
  if (network && typeof network.model === 'string' && !USER_MODEL_ID_PATTERN.test(network.model)) {
    const modelPath = resolve(baseDir, network.model);
    const [{ readModelFiles }, { registerUserModel }, { InvalidUserModelError, describeProblem }] = await Promise.all([
      import('../models/user-model-files.ts'),
      import('../temporal/user-models.ts'),
      import('../models/user-model-json.ts'),
    ]);
    try {
      const { modelJson, weightData } = await readModelFiles(modelPath);
      const stored = await registerUserModel(prisma, modelJson, weightData);
      report(
        `model ${modelPath}: ${stored.created ? 'stored' : 'already stored'} as ${stored.modelId} ` +
          `(${stored.summary.layers} layers, ${stored.summary.params} parameters, ${stored.summary.hasWeights ? 'with' : 'without'} weights; ` +
          `widths learned for ${stored.summary.prunableLayers.join(', ')})`,
      );
      for (const warning of stored.warnings) report(`warning: ${warning}`);
      resolved.network = { ...network, model: stored.modelId };
    } catch (error) {
      if (!(error instanceof InvalidUserModelError)) throw error;
      throw new InvalidSweepConfigError(error.problems.map((problem) => ({ path: 'network.model', message: describeProblem(problem), value: network.model })));
    }
  }
  return resolved;
}
