import { startEvidence, waitForEvidence } from '../../temporal/evidence.ts';
import { formatEvidence } from '../evidence-table.ts';
import { createOutput } from '../output.ts';
import { openServices } from '../services.ts';

export async function evidenceAction(runId: string, options: { seeds: number; expandTo?: number | 'seed'; wait?: boolean; json?: boolean }): Promise<void> {
  const output = createOutput(Boolean(options.json));
  const services = await openServices();
  try {
    const { evidenceId } = await startEvidence(services.deps, runId, { seeds: options.seeds, expandTo: options.expandTo });
    if (!options.wait) {
      output.result({ evidenceId }, () => `started evidence ${evidenceId}`);
      return;
    }
    output.info(`evidence ${evidenceId} started: ${options.seeds} seeds per arm; waiting for every arm to finish`);
    const result = await waitForEvidence(services.deps, evidenceId);
    if (result.status !== 'completed' || !result.summary) {
      process.exitCode = 1;
      output.result(result, () => `evidence ${evidenceId} ${result.status}; see GET /api/evidence/${evidenceId} for the arms`);
      return;
    }
    output.result(result, () => formatEvidence(result.summary!));
  } finally {
    await services.close();
  }
}
