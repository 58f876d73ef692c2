import { createHash, randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { PrismaClient } from '../db/client.ts';
import { getRun } from '../db/repositories/runs.ts';
import { getSweep, insertSweepOnce } from '../db/repositories/sweeps.ts';
import { failRetrain, insertRetrain } from '../db/repositories/retrains.ts';
import { parseSweepConfig, targetOf, type SweepConfig, type SweepConfigInput } from '../sweep/config.ts';
import type { OrchestrationOptions, RetrainResult, SweepWorkflowResult } from '../sweep/orchestration.ts';
import type { SweepProgress, TrainingHeartbeat } from '../sweep/progress.ts';
import { cancelSweepSignal, RETRAIN_WORKFLOW_TYPE, SWEEP_WORKFLOW_TYPE, sweepProgressQuery, TARGET_SEARCH_WORKFLOW_TYPE } from '../../workflows/definitions.ts';
import { DEFAULT_TASK_QUEUE } from './task-queues.ts';

/**
 * Starting, watching and stopping sweeps and retrains: what the CLI and the HTTP API call. Every
 * function takes its Prisma and Temporal clients explicitly so route handlers can pass shared ones.
 */

export interface SweepDeps {
  prisma: PrismaClient;
  client: Client;
  /** The workflow task queue workers poll; DEFAULT_TASK_QUEUE unless the deployment names another. */
  taskQueue?: string;
  /** Orchestration knobs passed to new workflows (tests shorten the heartbeat timeout). */
  orchestration?: OrchestrationOptions;
}

export class InvalidRetrainRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRetrainRequestError';
  }
}

/** Ids are URL-safe; an idempotency key maps to one sweep id forever, so a retried request starts nothing twice. */
function sweepIdFor(idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return `sw-${randomBytes(8).toString('hex')}`;
  return `sw-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16)}`;
}

/**
 * Validate (every problem at once, InvalidSweepConfigError), write the Sweep row, start its workflow
 * with workflowId = sweepId. The same idempotency key returns the first sweep (`created: false`) and
 * starts nothing; if an earlier attempt wrote the row but could not reach Temporal, this one starts it.
 */
export async function startSweep(
  deps: SweepDeps,
  /** A SweepConfig, or any untrusted input: it is validated here either way. */
  config: SweepConfigInput | unknown,
  opts: { idempotencyKey?: string } = {},
): Promise<{ sweepId: string; created: boolean }> {
  const parsed = parseSweepConfig(config);
  const { sweep, created } = await insertSweepOnce(deps.prisma, { id: sweepIdFor(opts.idempotencyKey), config: parsed, idempotencyKey: opts.idempotencyKey });
  if (created || sweep.status === 'queued') {
    await startSweepWorkflow(deps, sweep.id, sweep.config as unknown as SweepConfig);
  }
  return { sweepId: sweep.id, created };
}

async function startSweepWorkflow(deps: SweepDeps, sweepId: string, config: SweepConfig): Promise<void> {
  try {
    // A target-cost sweep searches its strengths instead of expanding a grid.
    await deps.client.workflow.start(targetOf(config) ? TARGET_SEARCH_WORKFLOW_TYPE : SWEEP_WORKFLOW_TYPE, {
      workflowId: sweepId,
      taskQueue: deps.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [{ sweepId, config, options: deps.orchestration }],
      // A finished sweep must never run again under the same id.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

export type CancelSweepOutcome = 'cancelling' | 'already-finished';

/** Ask the sweep to stop: running runs are cancelled and marked so, finished results stay. */
export async function cancelSweep(deps: SweepDeps, sweepId: string): Promise<{ sweepId: string; outcome: CancelSweepOutcome }> {
  const sweep = await getSweep(deps.prisma, sweepId);
  if (sweep.status === 'completed' || sweep.status === 'failed' || sweep.status === 'cancelled') {
    return { sweepId, outcome: 'already-finished' };
  }
  try {
    await deps.client.workflow.getHandle(sweepId).signal(cancelSweepSignal, {});
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { sweepId, outcome: 'already-finished' };
    throw error;
  }
  return { sweepId, outcome: 'cancelling' };
}

/** Block until the sweep workflow ends (CLI `--wait`, tests). */
export async function waitForSweep(deps: Pick<SweepDeps, 'client'>, sweepId: string): Promise<SweepWorkflowResult> {
  return deps.client.workflow.getHandle(sweepId).result();
}

/**
 * The workflow's own view (per-run state, results) with each running run's latest heartbeat
 * (step, losses, cost, accuracy) merged in. Null when Temporal no longer knows the workflow.
 */
export async function querySweepProgress(deps: Pick<SweepDeps, 'client'>, sweepId: string): Promise<SweepProgress | null> {
  const handle = deps.client.workflow.getHandle(sweepId);
  let progress: SweepProgress;
  let pending;
  try {
    [progress, pending] = await Promise.all([handle.query(sweepProgressQuery), handle.describe()]);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
  const liveByRun = new Map<string, TrainingHeartbeat & { attempt: number }>();
  for (const activity of pending.raw.pendingActivities ?? []) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    if (!activity.activityId || !payload) continue;
    const heartbeat = defaultPayloadConverter.fromPayload<TrainingHeartbeat>(payload);
    liveByRun.set(activity.activityId, { ...heartbeat, attempt: activity.attempt ?? 1 });
  }
  for (const run of progress.runs) {
    const live = liveByRun.get(run.runId);
    if (live && run.state === 'running') run.live = live;
  }
  return progress;
}

/**
 * Retrain a completed run's structure from scratch: as learned, scaled by `widthMultiplier`, or at
 * the largest multiplier whose cost (on the sweep's axis) stays within `targetCost`.
 */
export async function startRetrain(
  deps: SweepDeps,
  runId: string,
  request: { widthMultiplier?: number; targetCost?: number } = {},
): Promise<{ retrainId: string }> {
  const { widthMultiplier, targetCost } = request;
  if (widthMultiplier !== undefined && targetCost !== undefined) {
    throw new InvalidRetrainRequestError('give either a width multiplier or a target cost, not both');
  }
  for (const [name, value] of [['width multiplier', widthMultiplier], ['target cost', targetCost]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new InvalidRetrainRequestError(`the ${name} must be a positive number, got ${value}`);
    }
  }
  const run = await getRun(deps.prisma, runId);
  if (run.status !== 'completed' || run.structure === null) {
    throw new InvalidRetrainRequestError(`run ${runId} is ${run.status}; only a completed run has a structure to retrain`);
  }
  const sweep = await getSweep(deps.prisma, run.sweepId);
  const config = sweep.config as unknown as SweepConfig;
  const retrainId = `rt-${randomBytes(8).toString('hex')}`;
  await insertRetrain(deps.prisma, { id: retrainId, runId, widthMultiplier, targetCost, costAxis: sweep.costAxis, totalSteps: config.training.steps ?? 0 });
  try {
    await deps.client.workflow.start(RETRAIN_WORKFLOW_TYPE, {
      workflowId: retrainId,
      taskQueue: deps.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [{ retrainId, runId, widthMultiplier, targetCost, options: deps.orchestration }],
    });
  } catch (error) {
    // The row exists before the workflow so that the workflow always finds it; a workflow that never
    // started must not leave it pending forever.
    await failRetrain(deps.prisma, retrainId, `the retrain could not be started: ${(error as Error).message}`);
    throw error;
  }
  return { retrainId };
}

export async function waitForRetrain(deps: Pick<SweepDeps, 'client'>, retrainId: string): Promise<RetrainResult> {
  return deps.client.workflow.getHandle(retrainId).result();
}
