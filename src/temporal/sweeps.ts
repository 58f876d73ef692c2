import { createHash, randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { PrismaClient } from '../db/client.ts';
import { getRun } from '../db/repositories/runs.ts';
import { getSweep, insertSweepOnce, markSweepNotStarted, reopenUnstartedSweep } from '../db/repositories/sweeps.ts';
import { insertRetrainOnce, markRetrainNotStarted, reopenUnstartedRetrain } from '../db/repositories/retrains.ts';
import { datasetSpecProblem } from '../data/spec.ts';
import { canonicalJson } from '../sweep/canonical-json.ts';
import { InvalidSweepConfigError, isUserNetwork, parseSweepConfig, targetOf, type SweepConfig, type SweepConfigInput } from '../sweep/config.ts';
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

/** Mirrors sweep-preflight.ts's needsPreflight without loading it (it pulls in TF.js). */
function needsPreflight(config: SweepConfig): boolean {
  return isUserNetwork(config.network) || config.dataset.trim().startsWith('npz:');
}

/** Ids are URL-safe; an idempotency key maps to one id forever, so a retried request starts nothing twice. */
function idFor(prefix: 'sw' | 'rt', idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return `${prefix}-${randomBytes(8).toString('hex')}`;
  return `${prefix}-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16)}`;
}

/** The same Idempotency-Key came with a different request: a client bug, never someone else's answer. */
export class IdempotencyKeyReusedError extends Error {
  override name = 'IdempotencyKeyReusedError';
  constructor(
    readonly idempotencyKey: string,
    readonly existingId: string,
    readonly kind: 'sweep' | 'retrain',
  ) {
    super(`Idempotency-Key "${idempotencyKey}" was already used for ${kind} ${existingId} with a different request; use a new key for a new request`);
  }
}

/**
 * Temporal refused or could not be reached when a workflow was to start. The row is marked failed
 * with this reason (never left queued); a retry with the same Idempotency-Key starts it after all.
 */
export class WorkflowNotStartedError extends Error {
  override name = 'WorkflowNotStartedError';
  constructor(what: string, cause: unknown) {
    super(`the ${what} could not be started: ${(cause as Error).message ?? String(cause)}; retry the request (with the same Idempotency-Key) once Temporal is reachable`, { cause });
  }
}

/**
 * Validate (every problem at once, InvalidSweepConfigError), write the Sweep row, start its workflow
 * with workflowId = sweepId. The same idempotency key with the same config returns the first sweep
 * (`created: false`) and starts nothing; with another config it is IdempotencyKeyReusedError, also for
 * requests that race each other. A sweep whose workflow could not be started is marked failed with
 * the reason (WorkflowNotStartedError); a retry with its key starts it.
 */
export async function startSweep(
  deps: SweepDeps,
  /** A SweepConfig, or any untrusted input: it is validated here either way. */
  config: SweepConfigInput | unknown,
  opts: { idempotencyKey?: string } = {},
): Promise<{ sweepId: string; created: boolean; warnings?: string[] }> {
  const parsed = parseSweepConfig(config);
  // Before the sweep exists: a mistyped dataset path is the user's to fix, not a failed sweep.
  const datasetProblem = await datasetSpecProblem(parsed.dataset);
  if (datasetProblem) throw new InvalidSweepConfigError([{ path: 'dataset', message: datasetProblem, value: parsed.dataset }]);
  // The user's own model or data is checked before the row is written (TF.js loads only for those).
  const { warnings } = needsPreflight(parsed) ? await (await import('./sweep-preflight.ts')).preflightSweep(deps.prisma, parsed) : { warnings: [] };
  const { idempotencyKey } = opts;
  const { sweep, created } = await insertSweepOnce(deps.prisma, { id: idFor('sw', idempotencyKey), config: parsed, idempotencyKey });
  if (!created && idempotencyKey !== undefined && canonicalJson(sweep.config) !== canonicalJson(parsed)) {
    throw new IdempotencyKeyReusedError(idempotencyKey, sweep.id, 'sweep');
  }
  const neverStarted = sweep.status === 'queued' || (sweep.status === 'failed' && sweep.startedAt === null);
  if (created || neverStarted) await startSweepWorkflow(deps, sweep.id, sweep.config as unknown as SweepConfig, sweep.status === 'failed');
  return { sweepId: sweep.id, created, ...(warnings.length > 0 ? { warnings } : {}) };
}

async function startSweepWorkflow(deps: SweepDeps, sweepId: string, config: SweepConfig, reopen: boolean): Promise<void> {
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
    // Started before (the workflow's own failure stays as it is), or by a request racing this one.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    const notStarted = new WorkflowNotStartedError('sweep', error);
    await markSweepNotStarted(deps.prisma, sweepId, notStarted.message);
    throw notStarted;
  }
  // It had failed only because an earlier request could not start it: queued again, until it runs.
  if (reopen) await reopenUnstartedSweep(deps.prisma, sweepId);
}

/** How long a row may sit queued with no workflow before it counts as stranded. */
export const STRANDED_AFTER_MS = 5 * 60_000;
/** Rows looked at per pass: the oldest first. */
const STRANDED_BATCH = 100;

/**
 * Sweeps and retrains whose request ended between writing the row and starting its workflow (the
 * process was killed, the machine died): no workflow will ever run them, so they are marked failed
 * with the reason instead of staying queued forever. A row whose workflow exists (waiting for a
 * worker, say) is left alone; a retry with the row's Idempotency-Key still starts a stranded one.
 * Returns the ids marked failed. Workers call it now and then; concurrent callers are harmless.
 */
export async function failStrandedStarts(deps: Pick<SweepDeps, 'prisma' | 'client'>, olderThanMs = STRANDED_AFTER_MS): Promise<string[]> {
  const createdAt = { lt: new Date(Date.now() - olderThanMs) };
  const [sweeps, retrains] = await Promise.all([
    deps.prisma.sweep.findMany({ where: { status: 'queued', startedAt: null, createdAt }, select: { id: true }, orderBy: { createdAt: 'asc' }, take: STRANDED_BATCH }),
    // An evidence arm waits in its evidence workflow for a training slot: that workflow owns it.
    deps.prisma.retrain.findMany({ where: { status: 'pending', attempt: 0, evidenceId: null, createdAt }, select: { id: true }, orderBy: { createdAt: 'asc' }, take: STRANDED_BATCH }),
  ]);
  const reason = (what: string) =>
    `the ${what}'s workflow was never started: the request that wrote it ended before reaching Temporal; retry it with the same Idempotency-Key, or make a new one`;
  const stranded: string[] = [];
  for (const [rows, markFailed, what] of [
    [sweeps, markSweepNotStarted, 'sweep'],
    [retrains, markRetrainNotStarted, 'retrain'],
  ] as const) {
    for (const { id } of rows) {
      try {
        await deps.client.workflow.getHandle(id).describe();
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        await markFailed(deps.prisma, id, reason(what));
        stranded.push(id);
      }
    }
  }
  return stranded;
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
 * the largest multiplier whose cost (on the sweep's axis) stays within `targetCost`. Idempotent like
 * startSweep: the same key with the same run and options returns the first retrain (`created: false`).
 */
export async function startRetrain(
  deps: SweepDeps,
  runId: string,
  request: { widthMultiplier?: number; targetCost?: number } = {},
  opts: { idempotencyKey?: string } = {},
): Promise<{ retrainId: string; created: boolean }> {
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
  const narrowest = narrowestOnAxis(run.narrowestCost, sweep.costAxis);
  if (targetCost !== undefined && narrowest !== null && targetCost < narrowest) {
    throw new InvalidRetrainRequestError(
      `a target of ${Number(targetCost.toPrecision(3)).toLocaleString('en')} ${COST_UNITS[sweep.costAxis] ?? sweep.costAxis} cannot be met: even the narrowest rebuild of run ${runId}'s structure (about one channel per layer) costs ${Math.round(narrowest).toLocaleString('en')} ${COST_UNITS[sweep.costAxis] ?? sweep.costAxis}; raise the target`,
    );
  }
  const { idempotencyKey } = opts;
  const { retrain, created } = await insertRetrainOnce(deps.prisma, {
    id: idFor('rt', idempotencyKey),
    runId,
    widthMultiplier,
    targetCost,
    costAxis: sweep.costAxis,
    totalSteps: config.training.steps ?? 0,
    idempotencyKey,
  });
  const retrainId = retrain.id;
  if (!created) {
    // A completed retrain stores the multiplier it used (1 when trained as learned).
    const sameRequest =
      retrain.runId === runId &&
      retrain.targetCost === (targetCost ?? null) &&
      (targetCost !== undefined || (retrain.widthMultiplier ?? 1) === (widthMultiplier ?? 1));
    if (!sameRequest) throw new IdempotencyKeyReusedError(idempotencyKey ?? retrainId, retrainId, 'retrain');
    // No attempt ever ran: either in flight, or a start that failed and is retried now.
    if (retrain.attempt !== 0 || (retrain.status !== 'pending' && retrain.status !== 'failed')) return { retrainId, created };
  }
  try {
    await deps.client.workflow.start(RETRAIN_WORKFLOW_TYPE, {
      workflowId: retrainId,
      taskQueue: deps.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [{ retrainId, runId, widthMultiplier, targetCost, options: deps.orchestration }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { retrainId, created };
    // The row exists before the workflow so that the workflow always finds it; a workflow that never
    // started must not leave it pending forever.
    const notStarted = new WorkflowNotStartedError('retrain', error);
    await markRetrainNotStarted(deps.prisma, retrainId, notStarted.message);
    throw notStarted;
  }
  if (!created) await reopenUnstartedRetrain(deps.prisma, retrainId);
  return { retrainId, created };
}

export async function waitForRetrain(deps: Pick<SweepDeps, 'client'>, retrainId: string): Promise<RetrainResult> {
  return deps.client.workflow.getHandle(retrainId).result();
}

const COST_UNITS: Record<string, string> = { flops: 'FLOPs', 'model-size': 'weights', latency: 'ns of latency' };

function narrowestOnAxis(stored: unknown, axis: string): number | null {
  const costs = stored as { flops?: number; modelSize?: number; latencyNs?: number } | null;
  const value = axis === 'flops' ? costs?.flops : axis === 'model-size' ? costs?.modelSize : costs?.latencyNs;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
