import { z } from 'zod';
import { DatasetError } from './errors.ts';
import type { LoadOptions } from './types.ts';

const count = z.number().int().positive();

const LoadOptionsSchema = z
  .object({
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
    validationFraction: z.number().min(0).lt(1).default(0.1),
    limit: z.object({ train: count.optional(), test: count.optional() }).strict().default({}),
  })
  .strict();

export type ResolvedLoadOptions = z.infer<typeof LoadOptionsSchema>;

export function resolveLoadOptions(options: LoadOptions | undefined, spec: string): ResolvedLoadOptions {
  const parsed = LoadOptionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ');
  throw new DatasetError(
    `bad load options for dataset "${spec}": ${problems}. Expected { seed?: integer >= 0, ` +
      'validationFraction?: number in [0, 1), limit?: { train?: positive integer, test?: positive integer } }.',
  );
}

/** Everything that changes the loaded result, in a fixed order, for the per-process cache. */
export function optionsKey(options: ResolvedLoadOptions): string {
  return `seed=${options.seed};validation=${options.validationFraction};train=${options.limit.train ?? 'all'};test=${options.limit.test ?? 'all'}`;
}
