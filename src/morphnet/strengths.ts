export interface StrengthGridOptions {
  /** Decades on each side of the centre. Default 2. */
  decades?: number;
  /** Grid points per decade. Default 2. */
  perDecade?: number;
  /** Centre of the grid; default 1 / initialCost as MorphNet recommends. */
  center?: number;
}

/** The log grid of regularization strengths MorphNet recommends, ascending. */
export function suggestStrengths(initialCost: number, options: StrengthGridOptions = {}): number[] {
  const { decades = 2, perDecade = 2 } = options;
  if (!(initialCost > 0) || !Number.isFinite(initialCost)) {
    throw new RangeError(`initialCost must be a positive finite number (the seed network's cost), got ${initialCost}`);
  }
  if (!(decades >= 0) || !Number.isInteger(perDecade) || perDecade < 1) {
    throw new RangeError(`decades must be >= 0 and perDecade a positive integer, got ${decades} and ${perDecade}`);
  }
  const centerExponent = Math.log10(options.center ?? 1 / initialCost);
  const steps = Math.round(decades * perDecade);
  return Array.from({ length: strengthGridSize({ decades, perDecade }) }, (_, i) => 10 ** (centerExponent + (i - steps) / perDecade));
}

/** How many strengths suggestStrengths yields for a grid (known before any cost is). */
export function strengthGridSize(grid: { decades: number; perDecade: number }): number {
  return 2 * Math.round(grid.decades * grid.perDecade) + 1;
}
