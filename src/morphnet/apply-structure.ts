import type * as tf from '@tensorflow/tfjs';
import { modelCost, type CostOptions } from './costs.ts';
import { StructureError } from './errors.ts';
import { applyLayer, cloneLayer, rebuildModel } from './rebuild.ts';
import { parseStructure, type StructureJson, type StructureLayer } from './structure.ts';

export interface ApplyStructureOptions {
  /** Uniform width multiplier on every learned (non-fixed) width; widths round to >= 1. Default 1. */
  widthMultiplier?: number;
  /** Keep LogisticSigmoidGate layers; by default they are dropped (retraining runs without them). */
  keepGates?: boolean;
}

const MERGES = new Set(['Add', 'Average', 'Maximum', 'Minimum', 'Concatenate']);

export function scaledWidth(layer: StructureLayer, widthMultiplier: number): number {
  if (layer.fixed) return layer.seedWidth;
  return Math.max(1, Math.round(layer.alive * widthMultiplier));
}

function checkMatchesSeed(seedModel: tf.LayersModel, structure: StructureJson): Map<string, StructureLayer> {
  const byName = new Map(structure.layers.map((l) => [l.name, l]));
  for (const entry of structure.layers) {
    const layer = seedModel.layers.find((l) => l.name === entry.name);
    const width = layer ? (layer.outputShape as number[]).at(-1) : undefined;
    if (width !== entry.seedWidth) {
      throw new StructureError(
        `the structure was learned on another seed network: layer "${entry.name}" ` +
          (layer ? `has ${width} channels, the structure expects ${entry.seedWidth}` : 'is missing') +
          '; build the seed network with the options stored in structure.seedNetwork',
      );
    }
  }
  return byName;
}

/**
 * Build a fresh, smaller network from a learned structure (new weights: MorphNet retrains from
 * scratch). Vanished layers are removed, a merge left with one live operand becomes the identity,
 * and a network with no path left from input to output is an error.
 */
export function applyStructure(
  seedModel: tf.LayersModel,
  structureInput: StructureJson,
  options: ApplyStructureOptions = {},
): tf.LayersModel {
  const structure = parseStructure(structureInput);
  const widthMultiplier = options.widthMultiplier ?? 1;
  if (!(widthMultiplier > 0) || !Number.isFinite(widthMultiplier)) {
    throw new StructureError(`widthMultiplier must be a positive number, got ${widthMultiplier}`);
  }
  const learned = checkMatchesSeed(seedModel, structure);
  return rebuildModel(seedModel, (layer, inputs) => {
    const className = layer.getClassName();
    const live = inputs.filter((t): t is tf.SymbolicTensor => t !== null);
    if (className === 'LogisticSigmoidGate' && !options.keepGates) return inputs[0];
    if (MERGES.has(className)) {
      if (live.length === 0) return null;
      if (live.length === 1) return live[0];
      return applyLayer(cloneLayer(layer), live);
    }
    if (live.length < inputs.length) return null;
    const entry = learned.get(layer.name);
    if (!entry) return applyLayer(cloneLayer(layer), live);
    if (entry.alive === 0) return null;
    const width = scaledWidth(entry, widthMultiplier);
    const overrides = entry.kind === 'conv' ? { filters: width } : entry.kind === 'dense' ? { units: width } : {};
    return applyLayer(cloneLayer(layer, overrides), live);
  }, `${seedModel.name}_morphed`);
}

/** The smallest width multiplier the target-cost search tries: every layer keeps about one channel. */
export const NARROWEST_WIDTH_MULTIPLIER = 1e-3;

export interface WidthSearchOptions extends CostOptions {
  targetCost: number;
  /** Largest multiplier considered. Default 8. */
  maxMultiplier?: number;
  /** Stop when the bracket is this narrow. Default 1e-3. */
  tolerance?: number;
}

/**
 * The largest uniform width multiplier whose rebuilt network costs at most `targetCost`
 * ("retrain under a target cost"). Cost grows with the multiplier, so a bisection finds it.
 */
export function largestWidthMultiplierUnderCost(
  seed: tf.LayersModel | (() => tf.LayersModel),
  structure: StructureJson,
  options: WidthSearchOptions,
): number {
  const seedModel = typeof seed === 'function' ? seed() : seed;
  const { targetCost, maxMultiplier = 8, tolerance = NARROWEST_WIDTH_MULTIPLIER } = options;
  const costAt = (widthMultiplier: number): number => {
    const model = applyStructure(seedModel, structure, { widthMultiplier });
    try {
      return modelCost(model, options);
    } finally {
      model.dispose();
    }
  };
  try {
    let low = tolerance;
    if (costAt(low) > targetCost) {
      throw new StructureError(
        `no width multiplier reaches ${costInWords(targetCost, options.cost)}: even the narrowest rebuild (one channel per layer) costs ${costInWords(costAt(low), options.cost)}; raise the target`,
      );
    }
    let high = maxMultiplier;
    if (costAt(high) <= targetCost) return high;
    while (high - low > tolerance) {
      const middle = (low + high) / 2;
      if (costAt(middle) <= targetCost) low = middle;
      else high = middle;
    }
    return low;
  } finally {
    if (typeof seed === 'function') seedModel.dispose();
  }
}

/** "18,542 FLOPs", "1.25 ms": a cost as people read it, in the message a user sees. */
function costInWords(cost: number, kind: CostOptions['cost']): string {
  if (kind === 'latency') return `${Number((cost / 1e6).toPrecision(3))} ms`;
  const count = cost >= 1 ? Math.round(cost).toLocaleString('en') : String(Number(cost.toPrecision(3)));
  return `${count} ${kind === 'flops' ? 'FLOPs' : 'weights'}`;
}

/**
 * The seed network itself as a structure: every learnable width at its seed value. Rebuilt with a
 * width multiplier it is the uniformly thinned (or widened) seed network, the baseline a learned
 * structure has to beat at equal cost.
 */
export function uniformStructureOf(structureInput: StructureJson): StructureJson {
  const structure = parseStructure(structureInput);
  return { ...structure, layers: structure.layers.map((layer) => ({ ...layer, alive: layer.seedWidth })) };
}

/**
 * The uniform baseline's width multiplier for a learned structure: the largest multiplier whose
 * uniformly scaled seed network costs no more than `targetCost` (the structure's own cost, or an
 * expansion target), so the baseline never gets more budget than the structure it is compared to.
 */
export function uniformWidthMultiplierAtCost(
  seed: tf.LayersModel | (() => tf.LayersModel),
  structure: StructureJson,
  options: WidthSearchOptions,
): number {
  return largestWidthMultiplierUnderCost(seed, uniformStructureOf(structure), options);
}
