import type { LayerWidth } from '../../../src/client/wire.ts';
import type { StructureJson } from '../../../src/morphnet/structure.ts';

/**
 * Views of a stored StructureJson. Only its type is imported: src/morphnet/structure.ts reaches
 * TF.js through regularizers.ts, and TF.js must stay out of the web bundle. The API test checks
 * morphNetView against src/morphnet's own toMorphNetFormat so the two cannot drift apart.
 */

export function layerWidthsOf(structure: unknown): LayerWidth[] {
  return (structure as StructureJson).layers.map((layer) => ({
    name: layer.name,
    kind: layer.kind,
    alive: layer.alive,
    seed: layer.seedWidth,
    fixed: layer.fixed,
  }));
}

/** MorphNet's exporter view, {layer name: alive output channels} (toMorphNetFormat's output). */
export function morphNetView(structure: unknown): Record<string, number> {
  return Object.fromEntries((structure as StructureJson).layers.map((layer) => [layer.name, layer.alive]));
}
