import type { SweepWorkflowResult } from '../sweep/orchestration.ts';
import { querySweepProgress, waitForSweep, type SweepDeps } from '../temporal/sweeps.ts';
import type { ProgressView } from './progress-view.ts';

const POLL_INTERVAL_MS = 1_000;

/** Wait for a sweep's workflow to end, feeding its live progress to `view` meanwhile. */
export async function waitWithProgress(deps: SweepDeps, sweepId: string, view: ProgressView | undefined): Promise<SweepWorkflowResult> {
  let finished = false;
  const result = waitForSweep(deps, sweepId).finally(() => {
    finished = true;
  });
  const polling = (async () => {
    while (!finished && view) {
      const progress = await querySweepProgress(deps, sweepId).catch(() => null);
      if (progress && !finished) view.update(progress);
      await Promise.race([result.catch(() => {}), new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))]);
    }
  })();
  try {
    const outcome = await result;
    const last = view ? await querySweepProgress(deps, sweepId).catch(() => null) : null;
    if (last && view) view.update(last);
    return outcome;
  } finally {
    await polling;
    view?.stop();
  }
}
