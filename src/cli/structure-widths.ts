import type { StructureJson } from '../morphnet/structure.ts';

/**
 * Alive output channels per prunable layer: MorphNet's flat view (what src/morphnet's
 * toMorphNetFormat returns), read here directly so result-listing commands need not load TF.js.
 * Empty for a run without a structure.
 */
export function aliveWidthsOf(structure: unknown): Record<string, number> {
  const layers = (structure as Partial<StructureJson> | null)?.layers;
  if (!Array.isArray(layers)) return {};
  return Object.fromEntries(layers.map((layer) => [layer.name, layer.alive]));
}
