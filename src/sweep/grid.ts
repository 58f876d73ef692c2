// Pure file of the MorphNet library (no TF.js), so workflows and the web app may import it.
import { suggestStrengths } from '../morphnet/strengths.ts';
import type { SweepConfig } from './config.ts';

/** One structure-learning run of a sweep: the coordinates that identify it. */
export interface GridPoint {
  /** Position in the expanded grid (strength-major, then threshold, then seed); stable for a config. */
  index: number;
  strength: number;
  threshold: number;
  seed: number;
}

/**
 * The strengths a config asks for: its explicit list, or MorphNet's log grid (`decades` on each side
 * of the centre, `perDecade` points per decade) centred on 1/(seed network's initial cost).
 */
export function strengthsFor(config: SweepConfig, initialCost: number): number[] {
  const strengths = config.strengths;
  if ('values' in strengths) return [...strengths.values];
  if ('target' in strengths) throw new Error('a target-cost sweep has no fixed grid: its strengths come from the target search');
  if (strengths.grid.center === undefined && !(initialCost > 0 && Number.isFinite(initialCost))) {
    throw new Error(
      `cannot centre the strength grid on 1/initial cost: the seed network's cost is ${initialCost}; give strengths.grid.center or explicit strengths.values`,
    );
  }
  // With an explicit centre the initial cost only has to be a valid placeholder.
  return suggestStrengths(strengths.grid.center !== undefined ? 1 : initialCost, strengths.grid);
}

/** Every (strength, threshold, seed) point of a sweep, in a fixed order. Pure, so workflows may call it. */
export function expandGrid(config: SweepConfig, initialCost: number): GridPoint[] {
  const points: GridPoint[] = [];
  for (const strength of strengthsFor(config, initialCost)) {
    for (const threshold of config.thresholds) {
      for (const seed of config.seeds) {
        points.push({ index: points.length, strength, threshold, seed });
      }
    }
  }
  return points;
}
