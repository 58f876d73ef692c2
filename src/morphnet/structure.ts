import { z } from 'zod';
import { COST_KINDS, type CostKind } from './costs.ts';
import { StructureError } from './errors.ts';
import type { GraphLayer } from './graph.ts';
import type { NetworkRegularizer } from './network-regularizer.ts';
import { REGULARIZER_ALGORITHMS, type RegularizerAlgorithm } from './regularizers.ts';

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
    algorithm: z.enum(REGULARIZER_ALGORITHMS as [RegularizerAlgorithm, ...RegularizerAlgorithm[]]),
    cost: z.enum(COST_KINDS as [CostKind, ...CostKind[]]),
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

export interface ExportMeta {
  strength: number;
  step: number;
  /** Seed network name (e.g. 'resnet') and how it was built, so the structure can be rebuilt alone. */
  network?: string;
  inputShape?: number[];
  numClasses?: number;
  seedOptions?: Record<string, unknown>;
  /** Optional cross-checks: must match the regularizer's own settings when given. */
  algorithm?: RegularizerAlgorithm;
  cost?: CostKind;
  threshold?: number;
}

/** Snapshot the structure the regularizer proposes now (MorphNet's StructureExporter). */
export function exportStructure(regularizer: NetworkRegularizer, meta: ExportMeta): StructureJson {
  const { options } = regularizer;
  for (const key of ['algorithm', 'cost', 'threshold'] as const) {
    if (meta[key] !== undefined && meta[key] !== options[key]) {
      throw new StructureError(`exportStructure: meta.${key} is ${meta[key]} but the regularizer uses ${options[key]}`);
    }
  }
  const breakdown = regularizer.breakdown();
  const layers = regularizer.graph.prunableNames.map((name): StructureLayer => {
    const layer = regularizer.graph.byName.get(name) as GraphLayer;
    return {
      name,
      kind: layer.role as StructureLayer['kind'],
      alive: breakdown.aliveCounts[name],
      seedWidth: layer.outputShape.at(-1) as number,
      fixed: Array.from(layer.outputGroups).every((g) => regularizer.graph.pinnedGroups[g] === 1),
    };
  });
  return parseStructure({
    format: STRUCTURE_FORMAT,
    version: STRUCTURE_VERSION,
    algorithm: options.algorithm,
    cost: options.cost,
    costName: regularizer.costName,
    ...(options.hardware ? { hardware: options.hardware } : {}),
    batchSize: options.batchSize,
    threshold: options.threshold,
    strength: meta.strength,
    step: meta.step,
    proposedCost: breakdown.total,
    layers,
    seedNetwork: {
      ...(meta.network ? { name: meta.network } : {}),
      ...(meta.inputShape ? { inputShape: meta.inputShape } : {}),
      ...(meta.numClasses ? { numClasses: meta.numClasses } : {}),
      ...(meta.seedOptions ? { options: meta.seedOptions } : {}),
    },
    ...(options.inputBoundary ? { inputBoundary: options.inputBoundary } : {}),
    ...(options.outputBoundary ? { outputBoundary: options.outputBoundary } : {}),
  });
}

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
