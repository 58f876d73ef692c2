import * as tf from '@tensorflow/tfjs';
import { StructureError, UnsupportedLayerError } from './errors.ts';

/**
 * Produces a layer's new output from its rebuilt inputs; null means the layer vanished. Inputs are
 * null where the producing layer vanished.
 */
export type LayerRebuilder = (layer: tf.layers.Layer, inputs: (tf.SymbolicTensor | null)[]) => tf.SymbolicTensor | null;

/** A fresh layer (fresh weights from its initializers) with the same config, except `overrides`. */
export function cloneLayer(layer: tf.layers.Layer, overrides: Record<string, unknown> = {}): tf.layers.Layer {
  const config: Record<string, unknown> = { ...(layer.getConfig() as Record<string, unknown>), ...overrides };
  // The input shape comes from the tensor the clone is applied to.
  delete config.batchInputShape;
  delete config.inputShape;
  delete config.batchSize;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  if (!entry) {
    throw new UnsupportedLayerError(layer.name, layer.getClassName(), 'its class is not registered with tf.serialization.registerClass');
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config as tf.serialization.ConfigDict) as tf.layers.Layer;
}

/** Rebuild `model` layer by layer in topological order (functional or sequential). */
export function rebuildModel(model: tf.LayersModel, rebuild: LayerRebuilder, name?: string): tf.LayersModel {
  const outputs = new Map<string, tf.SymbolicTensor | null>();
  const inputs = model.inputs.map((t) => {
    const input = tf.input({ shape: t.shape.slice(1) as number[], dtype: t.dtype, name: t.sourceLayer.name });
    outputs.set(t.sourceLayer.name, input);
    return input;
  });
  for (const layer of model.layers) {
    if (outputs.has(layer.name)) continue;
    if (layer.inboundNodes.length !== 1) {
      throw new UnsupportedLayerError(layer.name, layer.getClassName(), 'shared layers (called more than once) cannot be rebuilt');
    }
    const layerInputs = layer.inboundNodes[0].inboundLayers.map((l) => outputs.get(l.name) ?? null);
    outputs.set(layer.name, rebuild(layer as tf.layers.Layer, layerInputs));
  }
  const modelOutputs = model.outputs.map((t) => {
    const output = outputs.get(t.sourceLayer.name);
    if (!output) {
      throw new StructureError(
        `every path to output "${t.sourceLayer.name}" vanished (all channels of some layer on each path are dead); ` +
          'this structure has no network: pick a sweep point with a nonzero cost, or a weaker strength',
      );
    }
    return output;
  });
  return tf.model({ inputs, outputs: modelOutputs, name: name ?? model.name });
}

/** Apply a layer to its inputs (one tensor or several). */
export function applyLayer(layer: tf.layers.Layer, inputs: tf.SymbolicTensor[]): tf.SymbolicTensor {
  return layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.SymbolicTensor;
}
