import { StructureError } from './errors.ts';
import type { GraphLayer } from './graph.ts';
import type { CostKind, RegularizerAlgorithm } from './kinds.ts';
import type { NetworkRegularizer } from './network-regularizer.ts';
import {
  parseStructure,
  STRUCTURE_FORMAT,
  STRUCTURE_VERSION,
  type StructureJson,
  type StructureLayer,
} from './structure-json.ts';

export * from './structure-json.ts';

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
