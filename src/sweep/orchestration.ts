import type { CostKind, SweepConfig } from './config.ts';
import type { EvidenceArm, EvidenceSummary } from './evidence.ts';
import type { GridPoint } from './grid.ts';
import type { RunCounts, RunResultSummary } from './progress.ts';

/**
 * What workflows and activities hand each other. Pure types in src/sweep because the sandboxed
 * workflow code, the activities and the client all import them.
 */

/** Knobs of the orchestration itself (not of the science); tests shorten them. */
export interface OrchestrationOptions {
  /** A worker that stops heartbeating for this long is presumed dead and its run moves elsewhere. */
  heartbeatTimeoutMs?: number;
  /** Past this many grid points per execution the workflow continues-as-new to keep its history small. */
  runsPerExecution?: number;
  /** Delay before the first retry of a failed training attempt. */
  retryInitialIntervalMs?: number;
}

export interface SweepWorkflowInput {
  sweepId: string;
  config: SweepConfig;
  options?: OrchestrationOptions;
  /** Set only by continue-as-new: where the previous execution stopped. */
  continuation?: {
    initialCost: number;
    nextIndex: number;
    counts: RunCounts;
  };
}

export interface SweepWorkflowResult {
  sweepId: string;
  status: 'completed' | 'failed' | 'cancelled';
  counts: RunCounts;
}

export interface SeedCost {
  flops: number;
  modelSize: number;
  latencyNs: number;
  /** Cost on the sweep's target axis: the grid centres on its reciprocal. */
  target: number;
}

export interface LearnStructureInput {
  sweepId: string;
  runId: string;
  config: SweepConfig;
  point: GridPoint;
  /** Target-search probes: stop once the cost settled clearly off this target (src/sweep/target-search.ts). */
  earlyStop?: { targetCost: number; tolerance: number };
}

export interface LearnStructureResult extends RunResultSummary {
  /** The checkpoint step this attempt resumed after (0: it started fresh). */
  resumedFromStep: number;
  /** Steps trained: fewer than configured when a target-search probe stopped early. */
  steps?: number;
}

export interface RetrainWorkflowInput {
  retrainId: string;
  runId: string;
  widthMultiplier?: number;
  targetCost?: number;
  /** Seed of the fresh weights and the batch order; default the run's own seed. */
  seed?: number;
  /** Train the uniformly scaled seed network instead of the learned structure (an evidence baseline arm). */
  uniform?: boolean;
  options?: Pick<OrchestrationOptions, 'heartbeatTimeoutMs' | 'retryInitialIntervalMs'>;
}

export interface RetrainResult {
  retrainId: string;
  widthMultiplier: number;
  costFlops: number;
  costModelSize: number;
  costLatencyNs: number;
  valAccuracy: number;
  testAccuracy: number;
  /** The checkpoint step a retried attempt started after (0 when it ran from the start). */
  resumedFromStep: number;
}

export interface EvidenceWorkflowInput {
  evidenceId: string;
  options?: Pick<OrchestrationOptions, 'heartbeatTimeoutMs' | 'retryInitialIntervalMs'>;
}

export interface EvidencePlanArm {
  retrainId: string;
  arm: EvidenceArm;
  seed: number;
  widthMultiplier: number;
  uniform: boolean;
}

export interface EvidencePlan {
  runId: string;
  costAxis: CostKind;
  arms: EvidencePlanArm[];
}

export interface EvidenceWorkflowResult {
  evidenceId: string;
  status: 'completed' | 'failed' | 'cancelled';
  summary: EvidenceSummary | null;
}

/** The cost axis a sweep's runs are compared on, as the Run/Retrain rows name their columns. */
export function costColumnOf(cost: CostKind): 'costFlops' | 'costModelSize' | 'costLatencyNs' {
  if (cost === 'flops') return 'costFlops';
  if (cost === 'model-size') return 'costModelSize';
  return 'costLatencyNs';
}

/**
 * Error types activities raise that no retry can fix; the workflows pass them to proxyActivities. A
 * plain error reaches Temporal typed by its class name, hence the repositories' not-found errors.
 */
export const NON_RETRYABLE_ERROR_TYPES = [
  'NonFiniteLoss',
  'InvalidStructure',
  'InvalidInput',
  'RunNotFoundError',
  'RetrainNotFoundError',
  'SweepNotFoundError',
  'UserModelNotFoundError',
  'EvidenceNotFoundError',
] as const;
