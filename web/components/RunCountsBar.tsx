import type { RunCounts } from '../hooks/dashboard-types.ts';

/** How many of a sweep's runs have finished, as a bar plus the counts spelled out. */
export function RunCountsBar({ runCounts }: { runCounts: RunCounts }) {
  const finished = runCounts.completed + runCounts.failed + runCounts.cancelled;
  const detail = [
    `${runCounts.completed} done`,
    runCounts.running > 0 ? `${runCounts.running} running` : null,
    runCounts.failed > 0 ? `${runCounts.failed} failed` : null,
    runCounts.cancelled > 0 ? `${runCounts.cancelled} cancelled` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div className="run-counts">
      <progress
        max={Math.max(1, runCounts.total)}
        value={finished}
        aria-label={`${finished} of ${runCounts.total} runs finished`}
      />
      <span className="run-counts-text">
        {finished}/{runCounts.total} <span className="muted">({detail})</span>
      </span>
    </div>
  );
}
