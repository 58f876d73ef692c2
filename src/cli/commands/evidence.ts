import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { positiveNumber } from './sweep.ts';

export function registerEvidenceCommand(program: Command): void {
  program
    .command('evidence <runId>')
    .description("retrain the run's structure and the uniform-width seed network at the same cost over several seeds; 95 % interval of the difference")
    .option('--seeds <n>', 'retrained seeds per arm (2-10)', (value) => {
      const seeds = Number(value);
      if (!Number.isInteger(seeds) || seeds < 2 || seeds > 10) throw new UsageError(`--seeds must be a whole number from 2 to 10, got "${value}"`);
      return seeds;
    }, 3)
    .option('--expand-to <cost>', "also widen both arms to this cost ('seed': the seed network's cost)", (value) =>
      value === 'seed' ? 'seed' : positiveNumber('--expand-to', value),
    )
    .option('--wait', 'wait for the result and print the table')
    .option('--json', 'machine-readable output')
    .action(async (runId: string, options) => (await import('../actions/evidence.ts')).evidenceAction(runId, options));
}
