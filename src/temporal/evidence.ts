import { randomBytes } from 'node:crypto';
import { finishEvidence, insertEvidence } from '../db/repositories/evidence.ts';
import { getRun } from '../db/repositories/runs.ts';
import { getSweep } from '../db/repositories/sweeps.ts';
import type { SweepConfig } from '../sweep/config.ts';
import { DEFAULT_EVIDENCE_SEEDS, MAX_EVIDENCE_SEEDS } from '../sweep/evidence.ts';
import { costColumnOf, type EvidenceWorkflowResult, type SeedCost } from '../sweep/orchestration.ts';
import { EVIDENCE_WORKFLOW_TYPE } from '../../workflows/definitions.ts';
import { InvalidRetrainRequestError, type SweepDeps } from './sweeps.ts';
import { DEFAULT_TASK_QUEUE } from './task-queues.ts';

export interface EvidenceRequest {
  /** Retrained seeds per arm (2..10); default 3. */
  seeds?: number;
  /** Also retrain both arms expanded to this cost ('seed': the seed network's own cost). */
  expandTo?: number | 'seed';
}

const SEED_COST_KEY = { flops: 'flops', 'model-size': 'modelSize', latency: 'latencyNs' } as const;

/**
 * Start the evidence loop for a completed run: N seeds of its structure and N of the uniform-width
 * seed network at the same cost, optionally both expanded. Bad requests fail with what to change.
 */
export async function startEvidence(deps: SweepDeps, runId: string, request: EvidenceRequest = {}): Promise<{ evidenceId: string }> {
  const seeds = request.seeds ?? DEFAULT_EVIDENCE_SEEDS;
  if (!Number.isInteger(seeds) || seeds < 2 || seeds > MAX_EVIDENCE_SEEDS) {
    throw new InvalidRetrainRequestError(`seeds must be a whole number from 2 to ${MAX_EVIDENCE_SEEDS} (an interval needs two per arm), got ${seeds}`);
  }
  const run = await getRun(deps.prisma, runId);
  if (run.status !== 'completed' || run.structure === null) {
    throw new InvalidRetrainRequestError(`run ${runId} is ${run.status}; only a completed run has a structure to compare`);
  }
  const sweep = await getSweep(deps.prisma, run.sweepId);
  const config = sweep.config as unknown as SweepConfig;
  const expandTo = resolveExpandTarget(request.expandTo, sweep.seedCost as SeedCost | null, config);
  const structureCost = run[costColumnOf(config.regularizer.cost)]!;
  if (expandTo !== undefined && expandTo <= structureCost) {
    throw new InvalidRetrainRequestError(`expandTo (${expandTo}) must exceed the structure's own cost ${structureCost}: expanding means widening`);
  }
  const evidenceId = `ev-${randomBytes(8).toString('hex')}`;
  await insertEvidence(deps.prisma, { id: evidenceId, runId, seeds, expandTo, costAxis: sweep.costAxis });
  try {
    await deps.client.workflow.start(EVIDENCE_WORKFLOW_TYPE, {
      workflowId: evidenceId,
      taskQueue: deps.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [{ evidenceId, options: deps.orchestration }],
    });
  } catch (error) {
    await finishEvidence(deps.prisma, evidenceId, { status: 'failed', error: `the evidence run could not be started: ${(error as Error).message}` });
    throw error;
  }
  return { evidenceId };
}

function resolveExpandTarget(expandTo: EvidenceRequest['expandTo'], seedCost: SeedCost | null, config: SweepConfig): number | undefined {
  if (expandTo === undefined) return undefined;
  if (expandTo === 'seed') {
    const cost = seedCost?.[SEED_COST_KEY[config.regularizer.cost]];
    if (cost === undefined) throw new InvalidRetrainRequestError('the sweep has no measured seed cost yet; give expandTo as a number');
    return cost;
  }
  if (!(Number.isFinite(expandTo) && expandTo > 0)) throw new InvalidRetrainRequestError(`expandTo must be a positive cost or "seed", got ${expandTo}`);
  return expandTo;
}

export async function waitForEvidence(deps: Pick<SweepDeps, 'client'>, evidenceId: string): Promise<EvidenceWorkflowResult> {
  return deps.client.workflow.getHandle(evidenceId).result();
}
