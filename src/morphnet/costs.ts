import type * as tf from '@tensorflow/tfjs';
import { getDevice, type DeviceSpec } from './devices.ts';
import { RegularizerSetupError } from './errors.ts';
import { buildChannelGraph, type ChannelGraph, type GraphLayer } from './graph.ts';

import { COST_KINDS, type CostKind } from './kinds.ts';

export { COST_KINDS, type CostKind };

/**
 * A layer's resource as a function of its alive input (A_in) and output (A_out) channel counts:
 * bilinear*A_in*A_out + inLinear*A_in + outLinear*A_out + depthwise*A_out. The regularization term
 * replaces counts by sums of regularization values R the way MorphNet does:
 * bilinear*(A_in*R_out + A_out*R_in) + inLinear*R_in + outLinear*R_out + depthwise*(R_in + R_out).
 */
export interface Coefficients {
  bilinear: number;
  inLinear: number;
  outLinear: number;
  depthwise: number;
}

export interface LayerCoefficients {
  flops: Coefficients;
  weights: Coefficients;
  bytes: Coefficients;
  /**
   * Memory traffic of a ReLU on the layer's output. A ReLU is its own op in MorphNet's graph and so
   * its own roofline term, added to the layer's max(compute, memory) rather than inside it, whether
   * it is a separate layer or the layer's fused activation.
   */
  reluBytes: Coefficients;
}

export interface CostSpec {
  cost: CostKind;
  /** Needed for latency. */
  device?: DeviceSpec;
  batchSize: number;
}

const FLOAT_BYTES = 4;
const zero = (): Coefficients => ({ bilinear: 0, inLinear: 0, outLinear: 0, depthwise: 0 });

/** Positions per channel: H*W for an image tensor, 1 for a vector. */
function spatialSize(shape: number[]): number {
  return shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

/** MorphNet's per-op resource coefficients (resource_function.py), with output spatial size so strides count. */
export function layerCoefficients(graph: ChannelGraph, layer: GraphLayer, batchSize: number): LayerCoefficients {
  const flops = zero();
  const weights = zero();
  const bytes = zero();
  const reluBytes = zero();
  const outPositions = spatialSize(layer.outputShape);
  const inShape = layer.inputs.length ? (graph.byName.get(layer.inputs[0]) as GraphLayer).outputShape : layer.outputShape;
  const inPositions = spatialSize(inShape);
  const activationBytes = (positions: number) => FLOAT_BYTES * batchSize * positions;
  const kernelArea = layer.kernelHeight * layer.kernelWidth;
  switch (layer.role) {
    case 'conv':
      flops.bilinear = 2 * batchSize * outPositions * kernelArea;
      weights.bilinear = kernelArea;
      bytes.bilinear = FLOAT_BYTES * kernelArea;
      bytes.inLinear = activationBytes(inPositions);
      bytes.outLinear = activationBytes(outPositions);
      break;
    case 'depthwise':
      flops.depthwise = 2 * batchSize * outPositions * kernelArea;
      weights.depthwise = kernelArea;
      bytes.depthwise = FLOAT_BYTES * kernelArea;
      bytes.inLinear = activationBytes(inPositions);
      bytes.outLinear = activationBytes(outPositions);
      break;
    case 'dense':
      // A MatMul is a 1x1 conv on a 1x1 output (MorphNet's flop_coeff returns 2).
      flops.bilinear = 2 * batchSize;
      weights.bilinear = 1;
      bytes.bilinear = FLOAT_BYTES;
      bytes.inLinear = activationBytes(1);
      bytes.outLinear = activationBytes(1);
      break;
    case 'batch-norm':
    case 'add':
    case 'multiply':
      // Elementwise ops only move memory: every operand in, one tensor out.
      bytes.inLinear = activationBytes(outPositions);
      bytes.outLinear = activationBytes(outPositions);
      break;
    case 'concat':
      // MorphNet treats a concat's inputs as its output (same channels, split).
      bytes.outLinear = 2 * activationBytes(outPositions);
      break;
    default:
      break;
  }
  if (layer.hasReluOp && layer.role !== 'input') {
    // The Relu op reads and writes this layer's output.
    reluBytes.outLinear = 2 * activationBytes(outPositions);
  }
  return { flops, weights, bytes, reluBytes };
}

export function evaluateCoefficients(c: Coefficients, aliveIn: number, aliveOut: number): number {
  return c.bilinear * aliveIn * aliveOut + c.inLinear * aliveIn + c.outLinear * aliveOut + c.depthwise * aliveOut;
}

export function layerCost(coefficients: LayerCoefficients, spec: CostSpec, aliveIn: number, aliveOut: number): number {
  if (spec.cost === 'flops') return evaluateCoefficients(coefficients.flops, aliveIn, aliveOut);
  if (spec.cost === 'model-size') return evaluateCoefficients(coefficients.weights, aliveIn, aliveOut);
  const device = spec.device as DeviceSpec;
  const computeNs = evaluateCoefficients(coefficients.flops, aliveIn, aliveOut) / device.peakGflops;
  const memoryNs = evaluateCoefficients(coefficients.bytes, aliveIn, aliveOut) / device.bandwidthGbps;
  const reluNs = evaluateCoefficients(coefficients.reluBytes, aliveIn, aliveOut) / device.bandwidthGbps;
  return Math.max(computeNs, memoryNs) + reluNs;
}

/** The tensors whose channels are a layer's cost input: every operand of an elementwise op, none for concat. */
export function costInputs(layer: GraphLayer): string[] {
  if (layer.role === 'concat' || layer.role === 'input') return [];
  if (layer.role === 'add' || layer.role === 'multiply' || layer.role === 'tie') return layer.inputs;
  return layer.inputs.slice(0, 1);
}

const count = (flags: Uint8Array): number => flags.reduce((a, b) => a + b, 0);
const any = (flags: Uint8Array): boolean => flags.some((f) => f === 1);

/**
 * Which output channels of each layer carry signal, given which groups are alive: a channel is
 * effective when its group is alive and the layer is still reachable from the input. A layer with
 * no effective channel vanishes from the rebuilt network, so its cost (and that of anything fed only
 * by it) must vanish too; this keeps the reported cost equal to the rebuilt network's cost.
 */
export function effectiveChannels(graph: ChannelGraph, groupAlive: Uint8Array): Map<string, Uint8Array> {
  const effective = new Map<string, Uint8Array>();
  for (const layer of graph.layers) {
    const groups = layer.outputGroups;
    const operands = layer.inputs.map((n) => effective.get(n) as Uint8Array);
    const live = operands.filter(any);
    const out = new Uint8Array(groups.length);
    const alive = (i: number) => groupAlive[groups[i]];
    switch (layer.role) {
      case 'input':
        out.fill(1);
        break;
      case 'conv':
      case 'dense':
        if (live.length) for (let i = 0; i < out.length; i++) out[i] = alive(i);
        break;
      case 'depthwise':
        for (let i = 0; i < out.length; i++) out[i] = operands[0][Math.floor(i / layer.depthMultiplier)] & alive(i);
        break;
      case 'flatten':
        for (let i = 0; i < out.length; i++) out[i] = operands[0][i % operands[0].length];
        break;
      case 'add':
      case 'tie':
        for (const operand of live) for (let i = 0; i < out.length; i++) out[i] |= operand[i];
        break;
      case 'multiply':
        if (live.length === operands.length) {
          out.fill(1);
          for (const operand of live) for (let i = 0; i < out.length; i++) out[i] &= operand[i];
        }
        break;
      case 'concat': {
        let offset = 0;
        for (const operand of operands) {
          out.set(operand, offset);
          offset += operand.length;
        }
        break;
      }
      default:
        for (let i = 0; i < out.length; i++) out[i] = operands[0][i] & alive(i);
    }
    effective.set(layer.name, out);
  }
  return effective;
}

export interface CostBreakdown {
  total: number;
  byLayer: Record<string, number>;
  /** Effective alive output channels of each prunable layer. */
  aliveCounts: Record<string, number>;
}

/** The hard cost of the structure that `groupAlive` proposes, per layer and in total. */
export function evaluateCost(
  graph: ChannelGraph,
  coefficients: Map<string, LayerCoefficients>,
  groupAlive: Uint8Array,
  spec: CostSpec,
): CostBreakdown {
  const effective = effectiveChannels(graph, groupAlive);
  const byLayer: Record<string, number> = {};
  let total = 0;
  for (const layer of graph.layers) {
    const layerCoefficients = coefficients.get(layer.name);
    if (!layerCoefficients) continue;
    const out = effective.get(layer.name) as Uint8Array;
    const liveOperands = layer.inputs.filter((n) => any(effective.get(n) as Uint8Array)).length;
    const isMerge = layer.role === 'add' || layer.role === 'multiply' || layer.role === 'tie' || layer.role === 'concat';
    // A vanished layer is removed, and a merge left with one live operand becomes the identity.
    const removed = !any(out) || (isMerge && liveOperands < 2);
    const aliveIn = costInputs(layer).reduce((sum, n) => sum + count(effective.get(n) as Uint8Array), 0);
    const cost = removed ? 0 : layerCost(layerCoefficients, spec, aliveIn, count(out));
    if (graph.prunableNames.includes(layer.name) || cost !== 0) byLayer[layer.name] = cost;
    total += cost;
  }
  const aliveCounts: Record<string, number> = {};
  for (const name of graph.prunableNames) aliveCounts[name] = count(effective.get(name) as Uint8Array);
  return { total, byLayer, aliveCounts };
}

/** Coefficients of every layer that can cost anything (pass-through layers are left out). */
export function coefficientsByLayer(graph: ChannelGraph, batchSize: number): Map<string, LayerCoefficients> {
  const costs = (c: LayerCoefficients) =>
    [c.flops, c.weights, c.bytes, c.reluBytes].some((q) => q.bilinear !== 0 || q.inLinear !== 0 || q.outLinear !== 0 || q.depthwise !== 0);
  return new Map(
    graph.layers
      .filter((l) => l.role !== 'input')
      .map((l): [string, LayerCoefficients] => [l.name, layerCoefficients(graph, l, batchSize)])
      .filter(([, c]) => costs(c)),
  );
}

export interface CostOptions {
  cost: CostKind;
  /** Device name from the device table; required for the latency cost. */
  hardware?: string;
  /** Images per inference; scales FLOPs and activation bytes, not model size. Default 1. */
  batchSize?: number;
}

export function resolveCostSpec(options: CostOptions): CostSpec {
  if (!COST_KINDS.includes(options.cost)) {
    throw new RegularizerSetupError(`unknown cost "${String(options.cost)}"; use one of ${COST_KINDS.join(', ')}`);
  }
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RegularizerSetupError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  if (options.cost === 'latency') {
    if (!options.hardware) throw new RegularizerSetupError('the latency cost needs hardware (a device name such as "V100")');
    return { cost: 'latency', device: getDevice(options.hardware), batchSize };
  }
  return { cost: options.cost, batchSize };
}

/** Full-width cost of any model that the crawler supports: FLOPs, weights, or latency in ns. */
export function modelCost(model: tf.LayersModel, options: CostOptions): number {
  return modelCostBreakdown(model, options).total;
}

export function modelCostBreakdown(model: tf.LayersModel, options: CostOptions): CostBreakdown {
  const spec = resolveCostSpec(options);
  const graph = buildChannelGraph(model);
  const allAlive = new Uint8Array(graph.groupCount).fill(1);
  return evaluateCost(graph, coefficientsByLayer(graph, spec.batchSize), allAlive, spec);
}
