import type { Command } from 'commander';
import { positiveNumber } from './sweep.ts';

export function registerRetrainCommand(program: Command): void {
  program
    .command('retrain <runId>')
    .description("train a run's learned structure from scratch without the regularizer")
    .option('--width-multiplier <x>', 'scale every layer width by x', (value) => positiveNumber('--width-multiplier', value))
    .option('--target-cost <c>', "use the widest multiplier whose cost (sweep's axis) is at most c", (value) => positiveNumber('--target-cost', value))
    .option('--idempotency-key <key>', 'a rerun with the same key returns the first retrain instead of training again (default: one per invocation, reused by its retries)')
    .option('--wait', 'wait for the result')
    .option('--out <dir>', 'when it finishes, write the retrained network there as a TF.js Layers model (model.json + weights.bin); implies --wait')
    .option('--json', 'machine-readable output')
    .action(async (runId: string, options) => (await import('../actions/retrain.ts')).retrainAction(runId, options));
}
