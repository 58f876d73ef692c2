import type * as tf from '@tensorflow/tfjs';
import { RegularizerSetupError, UnsupportedLayerError } from './errors.ts';
import { isReluActivation, roleOf, type LayerRole } from './layer-roles.ts';

/** Where a channel's regularization value can come from; which kind counts depends on the algorithm. */
export type SourceKind = 'gamma' | 'kernel' | 'gate';

export interface ChannelSource {
  kind: SourceKind;
  layerName: string;
  channel: number;
}

export interface GraphLayer {
  name: string;
  className: string;
  role: LayerRole;
  layer: tf.layers.Layer;
  /** Names of the crawled layers feeding this one, in call order. */
  inputs: string[];
  /** Output shape without the batch dimension. */
  outputShape: number[];
  /** Group id of each output channel; after Flatten one entry per flattened unit. */
  outputGroups: Int32Array;
  kernelHeight: number;
  kernelWidth: number;
  depthMultiplier: number;
  /** A Relu/Relu6 runs on this layer's output (its own activation layer or a fused activation). */
  hasReluOp: boolean;
}

/**
 * The crawled subgraph with channels grouped into sets that must live or die together
 * (MorphNet's OpRegularizerManager). Built once per regularizer; everything per-step reuses it.
 */
export interface ChannelGraph {
  /** Topological order, inputs first. */
  layers: GraphLayer[];
  byName: Map<string, GraphLayer>;
  groupCount: number;
  sourcesByGroup: ChannelSource[][];
  /** Groups tied to an input or output-boundary tensor: their width is fixed by the data or the task. */
  pinnedGroups: Uint8Array;
  /** Conv, depthwise and dense layers, in topological order. */
  prunableNames: string[];
}

export interface Boundaries {
  inputBoundary?: string[];
  outputBoundary?: string[];
}

class UnionFind {
  private readonly parent: number[] = [];
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }
  find(node: number): number {
    let root = node;
    while (this.parent[root] !== root) root = this.parent[root];
    while (this.parent[node] !== root) [node, this.parent[node]] = [this.parent[node], root];
    return root;
  }
  union(a: number, b: number): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA !== rootB) this.parent[rootB] = rootA;
  }
  get size(): number {
    return this.parent.length;
  }
}

function shapeWithoutBatch(layer: tf.layers.Layer): number[] {
  const shape = layer.outputShape;
  if (Array.isArray(shape[0])) {
    throw new UnsupportedLayerError(layer.name, layer.getClassName(), 'layers with several outputs are not supported');
  }
  const dims = (shape as (number | null)[]).slice(1);
  if (dims.some((d) => d === null)) {
    throw new UnsupportedLayerError(
      layer.name,
      layer.getClassName(),
      `its output shape [${(shape as unknown[]).join(', ')}] has unknown dimensions; give the model input a fixed shape`,
    );
  }
  return dims as number[];
}

function resolveLayers(model: tf.LayersModel, names: string[], what: string): tf.layers.Layer[] {
  return names.map((name) => {
    const found = model.layers.find((l) => l.name === name) ?? model.inputs.map((t) => t.sourceLayer).find((l) => l.name === name);
    if (!found) {
      const known = model.layers.map((l) => l.name).join(', ');
      throw new RegularizerSetupError(`${what} names layer "${name}", which is not in the model; its layers are: ${known}`);
    }
    return found as tf.layers.Layer;
  });
}

function crawlOrder(roots: tf.layers.Layer[], stopAt: Set<string>): { layer: tf.layers.Layer; inputs: tf.layers.Layer[] }[] {
  const order: { layer: tf.layers.Layer; inputs: tf.layers.Layer[] }[] = [];
  const visited = new Set<string>();
  const visit = (layer: tf.layers.Layer): void => {
    if (visited.has(layer.name)) return;
    visited.add(layer.name);
    if (stopAt.has(layer.name) || layer.getClassName() === 'InputLayer') {
      order.push({ layer, inputs: [] });
      return;
    }
    roleOf(layer); // fail on an unsupported layer before crawling past it
    if (layer.inboundNodes.length !== 1) {
      throw new UnsupportedLayerError(
        layer.name,
        layer.getClassName(),
        `it is called ${layer.inboundNodes.length} times (a shared layer); give each call its own layer`,
      );
    }
    const inputs = layer.inboundNodes[0].inboundLayers as tf.layers.Layer[];
    inputs.forEach(visit);
    order.push({ layer, inputs });
  };
  roots.forEach(visit);
  return order;
}

function config(layer: tf.layers.Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

function requireChannelsLast(layer: tf.layers.Layer): void {
  const dataFormat = config(layer).dataFormat;
  if (dataFormat !== undefined && dataFormat !== 'channelsLast') {
    throw new UnsupportedLayerError(layer.name, layer.getClassName(), `it uses dataFormat "${dataFormat}"; use dataFormat: 'channelsLast'`);
  }
}

function requireLastAxis(layer: tf.layers.Layer, rank: number): void {
  const axis = config(layer).axis;
  const axes = Array.isArray(axis) ? axis : [axis];
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank)) {
    throw new UnsupportedLayerError(
      layer.name,
      layer.getClassName(),
      `it works on axis ${JSON.stringify(axis)}; MorphNet groups channels on the last axis, so use axis: -1`,
    );
  }
}

/** Crawl `model` from the output boundary back to the input boundary and group its channels. */
export function buildChannelGraph(model: tf.LayersModel, boundaries: Boundaries = {}): ChannelGraph {
  const roots = boundaries.outputBoundary?.length
    ? resolveLayers(model, boundaries.outputBoundary, 'outputBoundary')
    : model.outputs.map((t) => t.sourceLayer as tf.layers.Layer);
  const stopAt = new Set(
    boundaries.inputBoundary?.length ? resolveLayers(model, boundaries.inputBoundary, 'inputBoundary').map((l) => l.name) : [],
  );

  const nodes = new UnionFind();
  const sourcesByNode: ChannelSource[][] = [];
  const freshNodes = (count: number): number[] =>
    Array.from({ length: count }, () => {
      sourcesByNode.push([]);
      return nodes.add();
    });
  const nodesByLayer = new Map<string, number[]>();
  const partial: Omit<GraphLayer, 'outputGroups'>[] = [];

  for (const { layer, inputs } of crawlOrder(roots, stopAt)) {
    const outputShape = shapeWithoutBatch(layer);
    const channels = outputShape[outputShape.length - 1] ?? 1;
    const inputNames = inputs.map((l) => l.name);
    const inputNodes = inputNames.map((n) => nodesByLayer.get(n) as number[]);
    const role: LayerRole = inputs.length === 0 ? 'input' : roleOf(layer);
    const layerConfig = config(layer);
    let kernelHeight = 1;
    let kernelWidth = 1;
    let depthMultiplier = 1;
    let hasReluOp = isReluActivation(layerConfig.activation);
    let out: number[];
    if (role !== 'input') requireChannelsLast(layer);
    switch (role) {
      case 'input':
        out = freshNodes(channels);
        break;
      case 'conv':
      case 'depthwise': {
        const kernelSize = layerConfig.kernelSize as number[];
        [kernelHeight, kernelWidth] = [kernelSize[0], kernelSize[1] ?? kernelSize[0]];
        if (role === 'conv') {
          out = freshNodes(channels);
          out.forEach((node, channel) => sourcesByNode[node].push({ kind: 'kernel', layerName: layer.name, channel }));
        } else {
          depthMultiplier = layerConfig.depthMultiplier as number;
          // Depthwise output k*m+j is computed from input channel k alone: they live or die together.
          out = Array.from({ length: channels }, (_, o) => inputNodes[0][Math.floor(o / depthMultiplier)]);
        }
        break;
      }
      case 'dense': {
        if (outputShape.length !== 1) {
          throw new UnsupportedLayerError(
            layer.name,
            'Dense',
            `it is applied to a rank-${outputShape.length + 1} tensor; add Flatten or GlobalAveragePooling2D before it`,
          );
        }
        out = freshNodes(channels);
        out.forEach((node, channel) => sourcesByNode[node].push({ kind: 'kernel', layerName: layer.name, channel }));
        break;
      }
      case 'batch-norm':
        requireLastAxis(layer, outputShape.length);
        out = inputNodes[0];
        if (layerConfig.scale !== false) {
          out.forEach((node, channel) => sourcesByNode[node].push({ kind: 'gamma', layerName: layer.name, channel }));
        }
        break;
      case 'gate':
        out = inputNodes[0];
        out.forEach((node, channel) => sourcesByNode[node].push({ kind: 'gate', layerName: layer.name, channel }));
        break;
      case 'activation':
        if (layer.getClassName() === 'Softmax') requireLastAxis(layer, outputShape.length);
        hasReluOp = layer.getClassName() === 'ReLU' || isReluActivation(layerConfig.activation);
        out = inputNodes[0];
        break;
      case 'add':
      case 'multiply':
      case 'tie':
        out = inputNodes[0];
        for (const operand of inputNodes.slice(1)) operand.forEach((node, i) => nodes.union(out[i], node));
        break;
      case 'concat':
        requireLastAxis(layer, outputShape.length);
        out = inputNodes.flat();
        break;
      case 'flatten': {
        // Channels-last flattening puts channel c of position p at index p*C + c.
        const source = inputNodes[0];
        out = Array.from({ length: channels }, (_, i) => source[i % source.length]);
        break;
      }
      case 'passthrough':
        out = inputNodes[0];
        break;
    }
    nodesByLayer.set(layer.name, out);
    partial.push({
      name: layer.name,
      className: layer.getClassName(),
      role,
      layer,
      inputs: inputNames,
      outputShape,
      kernelHeight,
      kernelWidth,
      depthMultiplier,
      hasReluOp,
    });
  }

  const groupOfRoot = new Map<number, number>();
  const groupOfNode = (node: number): number => {
    const root = nodes.find(node);
    let group = groupOfRoot.get(root);
    if (group === undefined) {
      group = groupOfRoot.size;
      groupOfRoot.set(root, group);
    }
    return group;
  };
  const layers: GraphLayer[] = partial.map((p) => ({
    ...p,
    outputGroups: Int32Array.from(nodesByLayer.get(p.name) as number[], groupOfNode),
  }));
  for (let node = 0; node < nodes.size; node++) groupOfNode(node);
  const sourcesByGroup: ChannelSource[][] = Array.from({ length: groupOfRoot.size }, () => []);
  sourcesByNode.forEach((sources, node) => sourcesByGroup[groupOfNode(node)].push(...sources));
  const pinnedGroups = new Uint8Array(groupOfRoot.size);
  // Output widths are the task's and input widths are the data's: neither can be learned.
  const fixedLayers = [...roots.map((l) => l.name), ...layers.filter((l) => l.role === 'input').map((l) => l.name)];
  for (const name of fixedLayers) for (const node of nodesByLayer.get(name) as number[]) pinnedGroups[groupOfNode(node)] = 1;

  return {
    layers,
    byName: new Map(layers.map((l) => [l.name, l])),
    groupCount: groupOfRoot.size,
    sourcesByGroup,
    pinnedGroups,
    prunableNames: layers.filter((l) => l.role === 'conv' || l.role === 'depthwise' || l.role === 'dense').map((l) => l.name),
  };
}
