import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PrismaClient } from '../../db/client.ts';
import { getRetrainExport } from '../../db/repositories/retrain-exports.ts';
import { EXPORTED_WEIGHTS_FILE, exportedModelJson } from '../../models/user-model-json.ts';
import { startRetrain, waitForRetrain } from '../../temporal/sweeps.ts';
import { UsageError } from '../errors.ts';
import { createOutput, formatNumber } from '../output.ts';
import { retryTransient } from '../retry.ts';
import { openServices } from '../services.ts';

export async function retrainAction(
  runId: string,
  options: { widthMultiplier?: number; targetCost?: number; idempotencyKey?: string; wait?: boolean; out?: string; json?: boolean },
): Promise<void> {
  if (options.widthMultiplier !== undefined && options.targetCost !== undefined) {
    throw new UsageError('give either --width-multiplier or --target-cost, not both');
  }
  const output = createOutput(Boolean(options.json));
  const services = await openServices();
  try {
    // One key per invocation: its retries below (and a rerun given the same --idempotency-key) train once.
    const idempotencyKey = options.idempotencyKey ?? `cli-${randomUUID()}`;
    const { retrainId } = await retryTransient(
      () => startRetrain(services.deps, runId, { widthMultiplier: options.widthMultiplier, targetCost: options.targetCost }, { idempotencyKey }),
      (error, delayMs) => output.info(`could not start the retrain (${(error as Error).message}); retrying in ${delayMs / 1000} s`),
    );
    if (!options.wait && options.out === undefined) {
      output.result({ retrainId }, () => `started retrain ${retrainId}`);
      return;
    }
    output.info(`retrain ${retrainId} started; waiting for it to finish`);
    const result = await waitForRetrain(services.deps, retrainId);
    if (options.out !== undefined) {
      const written = await writeRetrainedModel(services.deps.prisma, retrainId, options.out);
      output.info(`wrote ${written.modelJsonPath} and ${written.weightsPath}`);
    }
    output.result(result, () =>
      `retrain ${retrainId}: width multiplier ${formatNumber(result.widthMultiplier)}, FLOPs ${formatNumber(result.costFlops)}, model size ${formatNumber(result.costModelSize)}, latency ${formatNumber(result.costLatencyNs)} ns, val acc ${formatNumber(result.valAccuracy)}, test acc ${formatNumber(result.testAccuracy)}`,
    );
  } finally {
    await services.close();
  }}

/** The retrained network as the API serves it: model.json naming weights.bin beside it. */
async function writeRetrainedModel(prisma: PrismaClient, retrainId: string, dir: string): Promise<{ modelJsonPath: string; weightsPath: string }> {
  const exported = await getRetrainExport(prisma, retrainId);
  if (!exported) throw new Error(`retrain ${retrainId} stored no model; retrain the run again`);
  await mkdir(dir, { recursive: true });
  const modelJsonPath = join(dir, 'model.json');
  const weightsPath = join(dir, EXPORTED_WEIGHTS_FILE);
  await writeFile(weightsPath, exported.weightData);
  await writeFile(modelJsonPath, JSON.stringify(exportedModelJson(exported, `MorphSweep retrain ${retrainId}`)));
  return { modelJsonPath, weightsPath };
}
