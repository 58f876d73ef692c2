import { randomUUID } from 'node:crypto';
import { startRetrain, waitForRetrain } from '../../temporal/sweeps.ts';
import { UsageError } from '../errors.ts';
import { createOutput, formatNumber } from '../output.ts';
import { retryTransient } from '../retry.ts';
import { openServices } from '../services.ts';

export async function retrainAction(
  runId: string,
  options: { widthMultiplier?: number; targetCost?: number; idempotencyKey?: string; wait?: boolean; json?: boolean },
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
    if (!options.wait) {
      output.result({ retrainId }, () => `started retrain ${retrainId}`);
      return;
    }
    output.info(`retrain ${retrainId} started; waiting for it to finish`);
    const result = await waitForRetrain(services.deps, retrainId);
    output.result(result, () =>
      `retrain ${retrainId}: width multiplier ${formatNumber(result.widthMultiplier)}, FLOPs ${formatNumber(result.costFlops)}, model size ${formatNumber(result.costModelSize)}, latency ${formatNumber(result.costLatencyNs)} ns, val acc ${formatNumber(result.valAccuracy)}, test acc ${formatNumber(result.testAccuracy)}`,
    );
  } finally {
    await services.close();
  }}
