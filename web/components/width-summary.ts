import type { LayerWidth } from '../hooks/dashboard-types.ts';

/** "212 / 224 channels (95%)": the whole structure's alive channels against the seed's. */
export function widthSummary(layers: LayerWidth[]): string {
  if (layers.length === 0) return 'no regularized layers';
  const alive = layers.reduce((sum, layer) => sum + layer.alive, 0);
  const seed = layers.reduce((sum, layer) => sum + layer.seed, 0);
  return `${alive} / ${seed} channels (${seed > 0 ? Math.round((100 * alive) / seed) : 0}%)`;
}

/** "conv1 12/32 · conv2 40/64": each layer's alive count against its seed width. */
export function layerWidthList(layers: LayerWidth[]): string {
  return layers.map((layer) => `${layer.name} ${layer.alive}/${layer.seed}`).join(' · ');
}
