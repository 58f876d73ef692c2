import type {
  LiveProgress,
  Retrain,
  RunDetail,
  LayerWidth,
  SweepDetail,
  SweepSummary,
} from '../../../src/client/wire.ts';
import type { RetrainRow, RunDetailRow, SweepDetailRow, SweepRow } from '../../../src/db/repositories/queries.ts';
import type { SweepProgress } from '../../../src/sweep/progress.ts';

/** Store rows to wire JSON: dates as ISO strings, nothing the wire schemas do not name. */

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

export function sweepSummaryView(row: SweepRow): SweepSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    tags: row.tags,
    costAxis: row.costAxis,
    runs: row.runs,
    best: row.best,
    createdAt: iso(row.createdAt),
    startedAt: isoOrNull(row.startedAt),
    finishedAt: isoOrNull(row.finishedAt),
  };
}

export function liveProgressView(progress: SweepProgress): LiveProgress {
  return {
    state: progress.state,
    initialCost: progress.initialCost,
    totalRuns: progress.totalRuns,
    counts: progress.counts,
    running: progress.runs.flatMap((run) =>
      run.state === 'running' && run.live
        ? [
            {
              runId: run.runId,
              strength: run.strength,
              threshold: run.threshold,
              seed: run.seed,
              step: run.live.step,
              totalSteps: run.live.totalSteps,
              loss: run.live.loss,
              regLoss: run.live.regLoss,
              cost: run.live.cost,
              accuracy: run.live.accuracy,
              attempt: run.live.attempt,
            },
          ]
        : [],
    ),
  };
}

export function sweepDetailView(row: SweepDetailRow, live: SweepProgress | null): SweepDetail {
  return {
    ...sweepSummaryView(row),
    config: row.config,
    seedCost: row.seedCost,
    seedAccuracy: row.seedAccuracy,
    error: row.error,
    live: live ? liveProgressView(live) : null,
    // The workflow's answer is fresher than the row (written after each round).
    targetSearch: live?.targetSearch ?? row.targetSearch,
  };
}

export function retrainView(row: RetrainRow): Retrain {
  return { ...row, createdAt: iso(row.createdAt), finishedAt: isoOrNull(row.finishedAt) };
}

export function runDetailView(row: RunDetailRow, layers: LayerWidth[] | null): RunDetail {
  const { structure: _structure, retrains, createdAt, startedAt, finishedAt, ...rest } = row;
  return {
    ...rest,
    createdAt: iso(createdAt),
    startedAt: isoOrNull(startedAt),
    finishedAt: isoOrNull(finishedAt),
    layers,
    retrains: retrains.map(retrainView),
  };
}
