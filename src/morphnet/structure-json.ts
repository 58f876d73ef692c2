import { z } from 'zod';
import { StructureError } from './errors.ts';
import { COST_KINDS, REGULARIZER_ALGORITHMS } from './kinds.ts';

/**
 * The structure JSON a run exports and a retrain rebuilds from. Free of TF.js, so the web app and
 * other pure code can validate and view stored structures with the library's own code.
 */

export const STRUCTURE_FORMAT = 'morphsweep-structure';
export const STRUCTURE_VERSION = 1;

export const StructureLayerSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(['conv', 'depthwise', 'dense']),
    /** Alive output channels (MorphNet's exporter count); 0 means the layer vanishes. */
    alive: z.number().int().min(0),
    seedWidth: z.number().int().min(1),
    /** Width fixed by the data or task (tied to a model output): never pruned or scaled. */
    fixed: z.boolean(),
  })
  .strict();

export const StructureJsonSchema = z
  .object({
    format: z.literal(STRUCTURE_FORMAT),
    version: z.literal(STRUCTURE_VERSION),
    algorithm: z.enum(REGULARIZER_ALGORITHMS),
    cost: z.enum(COST_KINDS),
    costName: z.string(),
    hardware: z.string().optional(),
    batchSize: z.number().int().min(1),
    threshold: z.number().finite().min(0),
    strength: z.number().finite().min(0),
    step: z.number().int().min(0),
    /** The regularizer's cost of this structure: equals modelCost of the rebuilt network. */
    proposedCost: z.number().finite().min(0),
    /** Prunable layers in topological order. */
    layers: z.array(StructureLayerSchema).min(1),
    /** What to build the seed network from again (seed-network name, input shape, classes, options). */
    seedNetwork: z
      .object({
        name: z.string().optional(),
        inputShape: z.array(z.number().int().min(1)).optional(),
        numClasses: z.number().int().min(1).optional(),
        options: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
    inputBoundary: z.array(z.string()).optional(),
    outputBoundary: z.array(z.string()).optional(),
  })
  .strict();

export type StructureJson = z.infer<typeof StructureJsonSchema>;
export type StructureLayer = z.infer<typeof StructureLayerSchema>;

/** Validate a stored structure (e.g. read back from the database). */
export function parseStructure(input: unknown): StructureJson {
  const result = StructureJsonSchema.safeParse(input);
  if (result.success) return result.data;
  throw new StructureError(
    `not a valid MorphSweep structure (format ${STRUCTURE_FORMAT} v${STRUCTURE_VERSION}): ` +
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
  );
}

/** MorphNet's exporter view: {layer name: alive output channels}. */
export function toMorphNetFormat(structure: StructureJson): Record<string, number> {
  return Object.fromEntries(structure.layers.map((l) => [l.name, l.alive]));
}
