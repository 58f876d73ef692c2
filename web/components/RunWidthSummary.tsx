'use client';

import { useRun } from '../hooks/useRun.ts';
import { layerWidthList, widthSummary } from './width-summary.ts';

/** Width summary of a run, fetched when a point is first hovered (front points carry no widths). */
export function RunWidthSummary({ runId }: { runId: string }) {
  const { data: run, error } = useRun(runId);
  if (error) return <span className="error-text">widths unavailable: {error.message}</span>;
  if (!run) return <span className="muted">loading…</span>;
  if (!run.layers) return <span className="muted">structure not stored yet</span>;
  return (
    <span title={layerWidthList(run.layers)}>
      {widthSummary(run.layers)}
      <br />
      <span className="muted">{layerWidthList(run.layers)}</span>
    </span>
  );
}
