import type { LayerWidth } from '../../../src/client/wire.ts';
import { parseStructure, toMorphNetFormat } from '../../../src/morphnet/structure-json.ts';

/** Views of a stored StructureJson, validated with the MorphNet library's own (TF.js-free) schema. */

export function layerWidthsOf(structure: unknown): LayerWidth[] {
  return parseStructure(structure).layers.map((layer) => ({
    name: layer.name,
    kind: layer.kind,
    alive: layer.alive,
    seed: layer.seedWidth,
    fixed: layer.fixed,
  }));
}

/** MorphNet's exporter view, {layer name: alive output channels}. */
export function morphNetView(structure: unknown): Record<string, number> {
  return toMorphNetFormat(parseStructure(structure));
}
