import type { RunStatus, SweepStatus } from '../hooks/dashboard-types.ts';

/** A status word with a colour that matches it; the word itself carries the meaning. */
export function StatusBadge({ status }: { status: SweepStatus | RunStatus }) {
  return (
    <span className={`status-badge status-${status}`} data-status={status}>
      {status}
    </span>
  );
}
