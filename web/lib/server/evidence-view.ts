import type { Evidence as EvidenceView } from '../../../src/client/wire.ts';
import type { Evidence, Retrain } from '../../../src/db/client.ts';
import type { CostKind } from '../../../src/sweep/config.ts';
import type { EvidenceArm } from '../../../src/sweep/evidence.ts';

/** An Evidence row with its arm retrains, as wire JSON. */
export function evidenceView(row: Evidence & { retrains: Retrain[] }, sweepId: string): EvidenceView {
  return {
    id: row.id,
    runId: row.runId,
    sweepId,
    status: row.status,
    seeds: row.seeds,
    expandTo: row.expandTo,
    costAxis: row.costAxis as CostKind,
    summary: (row.summary ?? null) as EvidenceView['summary'],
    arms: row.retrains.map((retrain) => ({
      retrainId: retrain.id,
      arm: retrain.arm as EvidenceArm,
      seed: retrain.seed ?? 0,
      status: retrain.status,
      widthMultiplier: retrain.widthMultiplier,
      step: retrain.step,
      totalSteps: retrain.totalSteps,
      costs: { flops: retrain.costFlops, modelSize: retrain.costModelSize, latencyNs: retrain.costLatencyNs },
      valAccuracy: retrain.valAccuracy,
      testAccuracy: retrain.testAccuracy,
      error: retrain.error,
    })),
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}
