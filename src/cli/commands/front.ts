import type { Command } from 'commander';
import { COST_KINDS, type CostKind } from '../../sweep/config.ts';
import { UsageError } from '../errors.ts';

export function registerFrontCommand(program: Command): void {
  program
    .command('front <sweepId>')
    .description("the sweep's Pareto points (minimum cost, maximum validation accuracy)")
    .option('--cost <axis>', `cost axis: ${COST_KINDS.join(' | ')} (default: the sweep's target)`, (value: string) => {
      if (!(COST_KINDS as readonly string[]).includes(value)) throw new UsageError(`--cost must be one of ${COST_KINDS.join(', ')}, got "${value}"`);
      return value as CostKind;
    })
    .option('--json', 'machine-readable output')
    .action(async (sweepId: string, options) => (await import('../actions/front.ts')).frontAction(sweepId, options));
}
