import type { Command } from 'commander';
import { positiveInteger } from './sweep.ts';

export function registerDemoCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('demo')
    .description('start embedded Postgres + a Temporal dev server (unless DATABASE_URL/TEMPORAL_ADDRESS), two workers, a small Fashion-MNIST sweep, its front and a retrain')
    .option('--steps <n>', 'training steps per run', (value) => positiveInteger('--steps', value), 120)
    .option('--json', 'machine-readable output')
    .action(async (options) => (await import('../actions/demo.ts')).demoAction(options, setExitCode));
}
