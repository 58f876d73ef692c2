import { toMorphNetFormat, type StructureJson } from '../morphnet/index.ts';

/** Alive output channels per prunable layer (MorphNet's flat view); empty for a run without one. */
export function aliveWidthsOf(structure: unknown): Record<string, number> {
  if (structure === null || typeof structure !== 'object') return {};
  return toMorphNetFormat(structure as StructureJson);
}
