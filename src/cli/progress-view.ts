import cliProgress from 'cli-progress';
import type { SweepProgress } from '../sweep/progress.ts';
import { formatNumber } from './output.ts';

/** How a waiting command shows a sweep's progress: bars per run on a terminal, plain lines otherwise. */
export interface ProgressView {
  update(progress: SweepProgress): void;
  stop(): void;
}

export function createProgressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  return stream.isTTY ? new BarsView(stream) : new LinesView(stream);
}

/** One bar per run (steps), plus live loss/cost/accuracy from the latest heartbeat. */
class BarsView implements ProgressView {
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly multi: cliProgress.MultiBar;

  constructor(stream: NodeJS.WriteStream) {
    this.multi = new cliProgress.MultiBar(
      {
        stream,
        clearOnComplete: false,
        hideCursor: true,
        format: '{label} |{bar}| {value}/{total} {state} loss {loss} cost {cost} acc {accuracy}',
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(progress: SweepProgress): void {
    for (const run of progress.runs) {
      let bar = this.bars.get(run.runId);
      const total = run.live?.totalSteps ?? 1;
      const label = `s=${formatNumber(run.strength, 3).padEnd(9)} t=${formatNumber(run.threshold, 3).padEnd(6)} seed ${run.seed}`;
      if (!bar) {
        bar = this.multi.create(total, 0, { label, state: run.state, loss: '-', cost: '-', accuracy: '-' });
        this.bars.set(run.runId, bar);
      }
      const finished = run.state !== 'pending' && run.state !== 'running';
      bar.setTotal(total);
      bar.update(finished ? total : (run.live?.step ?? 0), {
        label,
        state: run.state,
        loss: formatNumber(run.live?.loss, 3),
        cost: formatNumber(run.result ? undefined : run.live?.cost, 3),
        accuracy: formatNumber(run.result?.valAccuracy ?? run.live?.accuracy, 3),
      });
    }
  }

  stop(): void {
    this.multi.stop();
  }
}

/** Logs and CI: a line whenever the counts change, never a redraw. */
class LinesView implements ProgressView {
  private lastLine = '';

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(progress: SweepProgress): void {
    const { counts } = progress;
    const done = counts.completed + counts.failed + counts.cancelled;
    // Before the grid exists there are no runs to count, only the seed network being measured.
    const line =
      progress.state === 'measuring'
        ? `sweep ${progress.sweepId}: measuring the seed network's costs`
        : `sweep ${progress.sweepId}: ${progress.state}, ${done}/${progress.totalRuns} runs finished (${counts.completed} completed, ${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.running} running)`;
    if (line !== this.lastLine) this.stream.write(`${line}\n`);
    this.lastLine = line;
  }

  stop(): void {}
}
