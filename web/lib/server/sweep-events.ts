import type { ProgressEvent, RunEvent } from '../../../src/client/wire.ts';
import type { PrismaClient } from '../../../src/db/client.ts';
import { countRunsBySweep, getSweepStatus, listRunsChangedSince } from '../../../src/db/repositories/queries.ts';

/**
 * Server-sent events for one sweep, read from the store by polling: every worker writes its progress
 * there, so this needs no link to the workers and any API replica can serve any stream.
 *   event: progress  data: ProgressEvent   (whenever the run counts or the sweep status change)
 *   event: run       data: RunEvent        (every run, once on connect, then whenever it changes)
 *   event: end       data: ProgressEvent   (the sweep finished; the server closes the stream)
 */

const DEFAULT_POLL_INTERVAL_MS = 1_000;
const KEEPALIVE_INTERVAL_MS = 15_000;
/** Rows are stamped by their writer before commit, so a late commit can carry an older stamp. */
const COMMIT_SLACK_MS = 5_000;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function ssePollIntervalMs(): number {
  const configured = Number(process.env.MORPHSWEEP_SSE_POLL_MS);
  return Number.isFinite(configured) && configured >= 50 ? configured : DEFAULT_POLL_INTERVAL_MS;
}

export function sweepEventStream(prisma: PrismaClient, sweepId: string, abort: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let eventId = 0;
  let closed = false;
  const pollIntervalMs = ssePollIntervalMs();

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (chunk: string) => {
        if (!closed) controller.enqueue(encoder.encode(chunk));
      };
      const sendEvent = (event: string, data: ProgressEvent | RunEvent) => {
        eventId += 1;
        send(`id: ${eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const close = () => {
        if (closed) return;
        closed = true;
        controller.close();
      };
      abort.addEventListener('abort', close);

      const lastSentUpdateMs = new Map<string, number>();
      let since = new Date(0);
      let lastProgressJson = '';
      let lastWriteMs = Date.now();
      send(`retry: ${Math.max(pollIntervalMs, 1000)}\n\n`);
      try {
        while (!closed) {
          const status = await getSweepStatus(prisma, sweepId);
          if (!status) break;
          const changedRuns = await listRunsChangedSince(prisma, sweepId, since);
          for (const { updatedAt, ...run } of changedRuns) {
            const updatedMs = updatedAt.getTime();
            if ((lastSentUpdateMs.get(run.runId) ?? -1) >= updatedMs) continue;
            lastSentUpdateMs.set(run.runId, updatedMs);
            sendEvent('run', run);
            since = new Date(Math.max(since.getTime(), updatedMs - COMMIT_SLACK_MS));
          }
          const runs = (await countRunsBySweep(prisma, [sweepId])).get(sweepId)!;
          const progress: ProgressEvent = { sweepId, status, runs };
          const progressJson = JSON.stringify(progress);
          if (progressJson !== lastProgressJson) {
            lastProgressJson = progressJson;
            sendEvent('progress', progress);
            lastWriteMs = Date.now();
          }
          if (TERMINAL.has(status)) {
            sendEvent('end', progress);
            break;
          }
          if (Date.now() - lastWriteMs > KEEPALIVE_INTERVAL_MS) {
            // Comments keep proxies from closing an idle stream.
            send(': keepalive\n\n');
            lastWriteMs = Date.now();
          }
          await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
        }
      } catch (error) {
        console.error(`[api] event stream of sweep ${sweepId} failed:`, error);
      } finally {
        abort.removeEventListener('abort', close);
        close();
      }
    },
    cancel() {
      closed = true;
    },
  });
}
