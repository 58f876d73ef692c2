import type * as tf from '@tensorflow/tfjs';
import { mixSeed, SEED_PURPOSE } from '../data/random.ts';
import { LogisticSigmoidGate, type LogisticSigmoidGateArgs } from './gate.ts';
import { applyLayer, cloneLayer, rebuildModel } from './rebuild.ts';

const GATED_PRODUCERS = new Set(['Conv2D', 'Dense']);

/**
 * A copy of `model` (same weights) with a FiGS gate after every BatchNormalization that follows a
 * Conv2D or Dense, and after every such layer that has no BN; the output layers stay ungated.
 * Gates are named `<layer>_gate`. A `seed` in gateArgs seeds each gate's noise apart (the same seed
 * in every gate would draw the same noise in every gate).
 */
export function addGates(model: tf.LayersModel, gateArgs: Omit<LogisticSigmoidGateArgs, 'name'> = {}): tf.LayersModel {
  const outputNames = new Set(model.outputs.map((t) => t.sourceLayer.name));
  const consumers = new Map<string, tf.layers.Layer[]>();
  for (const layer of model.layers) {
    for (const inbound of layer.inboundNodes[0]?.inboundLayers ?? []) {
      consumers.set(inbound.name, [...(consumers.get(inbound.name) ?? []), layer as tf.layers.Layer]);
    }
  }
  const followsProducer = (layer: tf.layers.Layer): boolean =>
    layer.getClassName() === 'BatchNormalization' &&
    GATED_PRODUCERS.has(layer.inboundNodes[0].inboundLayers[0]?.getClassName() ?? '');
  const gatedHere = (layer: tf.layers.Layer): boolean => {
    if (outputNames.has(layer.name)) return false;
    if (followsProducer(layer)) return true;
    const next = consumers.get(layer.name) ?? [];
    return GATED_PRODUCERS.has(layer.getClassName()) && !next.some((c) => c.getClassName() === 'BatchNormalization');
  };
  let gateIndex = 0;
  const nextSeed = () => (gateArgs.seed == null ? gateArgs.seed : mixSeed(SEED_PURPOSE.addedGates, gateArgs.seed, gateIndex++));
  return rebuildModel(model, (layer, inputs) => {
    const clone = cloneLayer(layer);
    const output = applyLayer(clone, inputs as tf.SymbolicTensor[]);
    clone.setWeights(layer.getWeights());
    if (!gatedHere(layer)) return output;
    return new LogisticSigmoidGate({ ...gateArgs, seed: nextSeed(), name: `${layer.name}_gate` }).apply(output) as tf.SymbolicTensor;
  });
}
