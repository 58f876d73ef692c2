import type { Command } from 'commander';
import { positiveInteger } from './sweep.ts';

export function registerDemoCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('demo')
    .description(
      'start embedded Postgres + a Temporal dev server (unless DATABASE_URL/TEMPORAL_ADDRESS) and two workers; search a structure at half the seed\'s FLOPs on Fashion-MNIST and compare it with uniform width over 3 seeds (--quick: a small grid, its front and one retrain)',
    )
    .option('--steps <n>', 'training steps per run (default 150; --quick: 120)', (value) => positiveInteger('--steps', value))
    .option('--quick', "the two-minute demo: a 3 x 2 GammaFlops grid, its front and a retrain under half the seed's FLOPs")
    .option('--json', 'machine-readable output')
    .action(async (options) => (await import('../actions/demo.ts')).demoAction(options, setExitCode));
}
