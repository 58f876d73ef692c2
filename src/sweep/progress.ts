import type { TargetSearchState } from './target-search.ts';

/**
 * The live state of a sweep as its workflow reports it (progress query) and as the client merges in
 * the training activities' heartbeats. Pure types: workflows, the CLI and the web app share them.
 */

export const RUN_STATES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];

export type SweepState = 'measuring' | 'running' | 'cancelling' | 'completed' | 'failed' | 'cancelled';

/** What a learnStructure activity heartbeats (and the progress query passes on). */
export interface TrainingHeartbeat {
  step: number;
  totalSteps: number;
  loss: number;
  regLoss: number;
  /** Hard cost on the sweep's target axis at this step. */
  cost: number;
  /** Latest validation accuracy; null before the first evaluation. */
  accuracy: number | null;
}

export interface RunProgress {
  runId: string;
  strength: number;
  threshold: number;
  seed: number;
  state: RunState;
  error?: string;
  /** Live training numbers from the latest heartbeat, while the run is running. */
  live?: TrainingHeartbeat & { attempt: number };
  /** Final numbers once the run completed. */
  result?: RunResultSummary & { resumedFromStep?: number };
}

export interface RunResultSummary {
  costFlops: number;
  costModelSize: number;
  costLatencyNs: number;
  valAccuracy: number;
  testAccuracy: number;
}

export type RunCounts = Record<RunState, number>;

export interface SweepProgress {
  sweepId: string;
  state: SweepState;
  /** The seed network's cost on the target axis (null until measured). */
  initialCost: number | null;
  totalRuns: number;
  /** Over the whole sweep, earlier continued-as-new executions included. */
  counts: RunCounts;
  /** Runs of the current execution (all of them unless the grid is past runsPerExecution). */
  runs: RunProgress[];
  /** A target-cost sweep's rounds so far and its outcome once decided. */
  targetSearch?: TargetSearchState;
}

export function emptyRunCounts(): RunCounts {
  return { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
}
