import * as tf from '@tensorflow/tfjs';
import { RegularizerSetupError } from './errors.ts';
import { LogisticSigmoidGate } from './gate.ts';
import type { ChannelGraph, SourceKind } from './graph.ts';

import { REGULARIZER_ALGORITHMS, type RegularizerAlgorithm } from './kinds.ts';

export { REGULARIZER_ALGORITHMS, type RegularizerAlgorithm };

const SOURCE_KIND: Record<RegularizerAlgorithm, SourceKind> = {
  gamma: 'gamma',
  'group-lasso': 'kernel',
  'logistic-sigmoid': 'gate',
};

const MISSING_SOURCE_FIX: Record<RegularizerAlgorithm, string> = {
  gamma:
    'the gamma regularizer needs BatchNormalization layers with scale: true after the convolutions; add them, ' +
    "or use algorithm 'group-lasso' (no BN needed)",
  'group-lasso': 'the group-lasso regularizer needs Conv2D or Dense layers inside the regularized subgraph; check the boundaries',
  'logistic-sigmoid':
    'the logistic-sigmoid regularizer needs LogisticSigmoidGate layers; insert them with addGates(model) or ' +
    'build the seed network with gated: true',
};

/**
 * Per-group regularization values and alive flags (MorphNet's grouping regularizers). Index tables
 * are built once; each call only gathers from the current variable values.
 */
export interface GroupRegularization {
  /**
   * `values`: the regularization value of every group, [groupCount], differentiable w.r.t. the
   * model's variables. `alive`: 1 for each alive group, else 0; groups without a regularizer and
   * fixed-width groups are alive.
   */
  evaluate(): { values: tf.Tensor1D; alive: tf.Tensor1D };
  dispose(): void;
}

export interface GroupRegularizationOptions {
  algorithm: RegularizerAlgorithm;
  threshold: number;
  /** Group lasso only: weight of the L1 (mean |w|) part; the rest is the RMS. Default 0. */
  l1Fraction?: number;
}

/** Hard decisions (alive flags, roofline bounds): `decide` runs off the gradient tape and passes no gradient back. */
export function withoutGradient(decide: (x: tf.Tensor) => tf.Tensor): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad(((x: tf.Tensor) => ({
    value: decide(x),
    gradFunc: () => tf.zerosLike(x),
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
}

function variableNamed(layer: tf.layers.Layer, suffix: string): tf.Variable {
  const weight = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
  if (!weight) throw new RegularizerSetupError(`layer "${layer.name}" has no ${suffix} variable; build the model before regularizing it`);
  return weight.read() as tf.Variable;
}

/** One value per output channel of a source layer, as MorphNet's op regularizers define them. */
function sourceVector(layer: tf.layers.Layer, algorithm: RegularizerAlgorithm, l1Fraction: number): tf.Tensor1D {
  if (algorithm === 'gamma') return tf.abs(variableNamed(layer, 'gamma')) as tf.Tensor1D;
  if (algorithm === 'logistic-sigmoid') return tf.sigmoid(variableNamed(layer, 'logits')) as tf.Tensor1D;
  const kernel = variableNamed(layer, 'kernel');
  const axes = Array.from({ length: kernel.rank - 1 }, (_, i) => i);
  const rms = tf.sqrt(tf.mean(tf.square(kernel), axes)) as tf.Tensor1D;
  if (l1Fraction === 0) return rms;
  return tf.add(tf.mul(l1Fraction, tf.mean(tf.abs(kernel), axes)), tf.mul(1 - l1Fraction, rms)) as tf.Tensor1D;
}

export function buildGroupRegularization(
  model: tf.LayersModel,
  graph: ChannelGraph,
  options: GroupRegularizationOptions,
): GroupRegularization {
  const { algorithm, threshold } = options;
  const l1Fraction = options.l1Fraction ?? 0;
  const kind = SOURCE_KIND[algorithm];

  const sourceLayers: tf.layers.Layer[] = [];
  const offsetByLayer = new Map<string, number>();
  let sourceCount = 0;
  const membersByGroup: number[][] = graph.sourcesByGroup.map((sources, group) => {
    if (graph.pinnedGroups[group]) return [];
    return sources
      .filter((s) => s.kind === kind)
      .map((s) => {
        if (!offsetByLayer.has(s.layerName)) {
          const layer = model.getLayer(s.layerName);
          offsetByLayer.set(s.layerName, sourceCount);
          sourceLayers.push(layer);
          sourceCount += (graph.byName.get(s.layerName)?.outputShape.at(-1) as number) ?? 0;
        }
        return (offsetByLayer.get(s.layerName) as number) + s.channel;
      });
  });
  if (sourceCount === 0) {
    throw new RegularizerSetupError(`no channel in the regularized subgraph can be pruned: ${MISSING_SOURCE_FIX[algorithm]}`);
  }
  // Gates switch off at inference exactly the channels this regularizer counts dead (each gate by its
  // own probability; a tied group stays in the structure while any member is alive).
  for (const layer of sourceLayers) if (layer instanceof LogisticSigmoidGate) layer.aliveProbability = threshold;

  // Pad every group to the largest group with an extra value 0: neutral for max and for 1 - prod(1 - p).
  // Members are selected by a one-hot matrix product rather than tf.gather, whose gradient needs
  // UnsortedSegmentSum, a kernel the wasm backend lacks.
  const width = Math.max(1, ...membersByGroup.map((m) => m.length));
  const selection = new Float32Array(graph.groupCount * width * (sourceCount + 1));
  const isMemberFlags = new Float32Array(graph.groupCount * width);
  membersByGroup.forEach((members, group) => {
    for (let slot = 0; slot < width; slot++) {
      const row = group * width + slot;
      const source = slot < members.length ? members[slot] : sourceCount;
      selection[row * (sourceCount + 1) + source] = 1;
      isMemberFlags[row] = slot < members.length ? 1 : 0;
    }
  });
  const selectionMatrix = tf.tensor2d(selection, [graph.groupCount * width, sourceCount + 1]);
  const isMember = tf.tensor2d(isMemberFlags, [graph.groupCount, width]);
  const unregularized = tf.tensor1d(membersByGroup.map((m) => (m.length === 0 ? 1 : 0)), 'float32');
  const padding = tf.zeros([1]);

  const sourceValues = (): tf.Tensor1D =>
    tf.concat([...sourceLayers.map((l) => sourceVector(l, algorithm, l1Fraction)), padding]) as tf.Tensor1D;

  const groupAliveOf = withoutGradient((members) => {
    const memberAlive = algorithm === 'logistic-sigmoid' ? tf.greaterEqual(members, threshold) : tf.greater(members, threshold);
    const anyAlive = tf.max(tf.mul(tf.cast(memberAlive, 'float32'), isMember), 1);
    return tf.maximum(anyAlive, unregularized);
  });

  /** 1 - prod_k(1 - p_k) over the member columns, with ops whose gradients every backend has. */
  const anyOn = (members: tf.Tensor2D): tf.Tensor1D => {
    const off = tf.sub(1, members);
    let offProduct = tf.slice(off, [0, 0], [graph.groupCount, 1]);
    for (let k = 1; k < width; k++) offProduct = tf.mul(offProduct, tf.slice(off, [0, k], [graph.groupCount, 1]));
    return tf.sub(1, tf.reshape(offProduct, [graph.groupCount])) as tf.Tensor1D;
  };

  return {
    evaluate: () =>
      tf.tidy(() => {
        const members = tf.reshape(tf.matMul(selectionMatrix, tf.reshape(sourceValues(), [-1, 1])), [graph.groupCount, width]) as tf.Tensor2D;
        // Alive is the OR over members: any member over the threshold keeps the group.
        const alive = groupAliveOf(members) as tf.Tensor1D;
        // FiGS groups by the probability that any member is on, 1 - prod(1 - p_i); the others by max.
        const values = (
          algorithm === 'logistic-sigmoid' ? anyOn(members) : tf.max(members, 1)
        ) as tf.Tensor1D;
        return { values, alive };
      }),
    dispose: () => tf.dispose([selectionMatrix, unregularized, padding, isMember]),
  };
}
