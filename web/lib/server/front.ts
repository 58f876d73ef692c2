import type { Front, FrontPoint } from '../../../src/client/wire.ts';
import type { FrontData, FrontRunPoint } from '../../../src/db/repositories/queries.ts';
import type { CostKind } from '../../../src/sweep/config.ts';
import { paretoFront, type ParetoCandidate } from '../../../src/sweep/pareto.ts';

type Candidate = ParetoCandidate & { point: FrontRunPoint };

/** Splits a sweep's completed runs into its Pareto front and the dominated rest, on one cost axis. */
export function buildFront(sweepId: string, cost: CostKind, data: FrontData): Front {
  // One object shape for all candidates keeps this loop monomorphic at 10,000 points.
  const candidates: Candidate[] = data.points.map((point) => ({
    point,
    costFlops: cost === 'flops' ? point.cost : null,
    costModelSize: cost === 'model-size' ? point.cost : null,
    costLatencyNs: cost === 'latency' ? point.cost : null,
    valAccuracy: point.accuracy,
  }));
  const { front, dominated } = paretoFront(candidates, { cost });
  const toWire = ({ point }: Candidate): FrontPoint => point;
  return {
    sweepId,
    cost,
    seedNetwork: data.seedNetwork,
    pareto: front.map(toWire),
    dominated: dominated.map(toWire),
    retrained: data.retrained,
  };
}
