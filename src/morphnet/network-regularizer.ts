import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import {
  coefficientsByLayer,
  COST_KINDS,
  costInputs,
  evaluateCost,
  resolveCostSpec,
  type CostBreakdown,
  type CostSpec,
  type LayerCoefficients,
} from './costs.ts';
import { RegularizerSetupError } from './errors.ts';
import { switchOffDeadChannels } from './dead-channels.ts';
import { buildChannelGraph, type ChannelGraph, type GraphLayer } from './graph.ts';
import { buildGroupRegularization, REGULARIZER_ALGORITHMS, withoutGradient, type RegularizerAlgorithm } from './regularizers.ts';

export const NetworkRegularizerOptionsSchema = z
  .object({
    algorithm: z.enum(REGULARIZER_ALGORITHMS),
    cost: z.enum(COST_KINDS),
    /** Alive threshold; optional only for logistic-sigmoid, whose FiGS default is 0.1. */
    threshold: z.number().finite().min(0).optional(),
    hardware: z.string().min(1).optional(),
    batchSize: z.number().int().min(1).optional(),
    inputBoundary: z.array(z.string().min(1)).optional(),
    outputBoundary: z.array(z.string().min(1)).optional(),
    l1Fraction: z.number().min(0).max(1).optional(),
  })
  .strict();

export type NetworkRegularizerOptions = z.input<typeof NetworkRegularizerOptionsSchema>;

export interface NetworkRegularizer {
  /** e.g. GammaFlops, GroupLassoModelSize, LogisticSigmoidLatency. */
  readonly name: string;
  /** FLOPs, ModelSize or "<hardware> Latency" (nanoseconds). */
  readonly costName: string;
  readonly options: Readonly<z.output<typeof NetworkRegularizerOptionsSchema> & { threshold: number; batchSize: number }>;
  readonly graph: ChannelGraph;
  /** Differentiable; add strength x term to the loss. Call inside tf.tidy / tf.variableGrads. */
  regularizationTerm(): tf.Scalar;
  /** Cost of the structure proposed now (hard alive counts); deterministic. */
  cost(): number;
  costByLayer(): Record<string, number>;
  /** Alive output channels of each prunable (conv, depthwise, dense) layer. */
  aliveCounts(): Record<string, number>;
  /** cost, costByLayer and aliveCounts from one read of the variables. */
  breakdown(): CostBreakdown;
  /** Full (seed) width of each prunable layer. */
  seedWidths(): Record<string, number>;
  /**
   * Zero every channel the structure counts dead, so the model computes what the pruned network
   * would; returns the function that restores the weights. Wrap evaluations in it.
   */
  switchOffDeadChannels(): () => void;
  dispose(): void;
}

const ALGORITHM_NAMES: Record<RegularizerAlgorithm, string> = {
  gamma: 'Gamma',
  'group-lasso': 'GroupLasso',
  'logistic-sigmoid': 'LogisticSigmoid',
};

function costNameOf(spec: CostSpec, hardware?: string): string {
  if (spec.cost === 'flops') return 'FLOPs';
  if (spec.cost === 'model-size') return 'ModelSize';
  return `${hardware} Latency`;
}

/** Constant tensors for the term: channel multiplicities per (layer, group) and the cost coefficients. */
function buildTermTables(graph: ChannelGraph, coefficients: Map<string, LayerCoefficients>) {
  const costed = graph.layers.filter((l) => coefficients.has(l.name));
  const layerCount = costed.length;
  // Rows 0..L-1: how often each group appears among a layer's input channels; rows L..2L-1: output.
  const multiplicity = new Float32Array(2 * layerCount * graph.groupCount);
  const addChannels = (row: number, layer: GraphLayer) => {
    for (const group of layer.outputGroups) multiplicity[row * graph.groupCount + group] += 1;
  };
  costed.forEach((layer, i) => {
    for (const input of costInputs(layer)) addChannels(i, graph.byName.get(input) as GraphLayer);
    addChannels(layerCount + i, layer);
  });
  const column = (pick: (c: LayerCoefficients) => number) =>
    tf.tensor1d(costed.map((l) => pick(coefficients.get(l.name) as LayerCoefficients)));
  const table = (quantity: 'flops' | 'weights' | 'bytes' | 'reluBytes') => ({
    bilinear: column((c) => c[quantity].bilinear),
    inLinear: column((c) => c[quantity].inLinear),
    outLinear: column((c) => c[quantity].outLinear),
    depthwise: column((c) => c[quantity].depthwise),
  });
  return {
    layerCount,
    multiplicity: tf.tensor2d(multiplicity, [2 * layerCount, graph.groupCount]),
    flops: table('flops'),
    weights: table('weights'),
    bytes: table('bytes'),
    reluBytes: table('reluBytes'),
  };
}

type Table = ReturnType<typeof buildTermTables>['flops'];

interface Counts {
  aliveIn: tf.Tensor1D;
  aliveOut: tf.Tensor1D;
  regIn: tf.Tensor1D;
  regOut: tf.Tensor1D;
}

function hardCost(t: Table, c: Pick<Counts, 'aliveIn' | 'aliveOut'>): tf.Tensor1D {
  return tf.addN([
    tf.mul(t.bilinear, tf.mul(c.aliveIn, c.aliveOut)),
    tf.mul(t.inLinear, c.aliveIn),
    tf.mul(t.outLinear, c.aliveOut),
    tf.mul(t.depthwise, c.aliveOut),
  ]) as tf.Tensor1D;
}

/** MorphNet's bilinear relaxation, per layer. */
function relaxedCost(t: Table, c: Counts): tf.Tensor1D {
  return tf.addN([
    tf.mul(t.bilinear, tf.add(tf.mul(c.aliveIn, c.regOut), tf.mul(c.aliveOut, c.regIn))),
    tf.mul(t.inLinear, c.regIn),
    tf.mul(t.outLinear, c.regOut),
    tf.mul(t.depthwise, tf.add(c.regIn, c.regOut)),
  ]) as tf.Tensor1D;
}

export function createNetworkRegularizer(model: tf.LayersModel, options: NetworkRegularizerOptions): NetworkRegularizer {
  const parsed = NetworkRegularizerOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new RegularizerSetupError(
      `invalid regularizer options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  const threshold = parsed.data.threshold ?? (parsed.data.algorithm === 'logistic-sigmoid' ? 0.1 : undefined);
  if (threshold === undefined) {
    throw new RegularizerSetupError(`the ${parsed.data.algorithm} regularizer needs a threshold (e.g. 0.01 for |gamma|, 0.001 for group-lasso RMS)`);
  }
  const opts = { ...parsed.data, threshold };
  if (opts.algorithm === 'logistic-sigmoid' && opts.threshold > 1) {
    throw new RegularizerSetupError(`logistic-sigmoid thresholds are probabilities in [0, 1]; got ${opts.threshold} (the usual value is 0.1)`);
  }
  const spec = resolveCostSpec({ cost: opts.cost, hardware: opts.hardware, batchSize: opts.batchSize });
  const graph = buildChannelGraph(model, { inputBoundary: opts.inputBoundary, outputBoundary: opts.outputBoundary });
  const coefficients = coefficientsByLayer(graph, spec.batchSize);
  const groups = buildGroupRegularization(model, graph, opts);
  const tables = buildTermTables(graph, coefficients);
  const L = tables.layerCount;
  /** 1 for the layers whose memory time exceeds their compute time at the given alive counts, else 0. */
  const memoryBoundOf = withoutGradient((alives) => {
    const device = spec.device as NonNullable<CostSpec['device']>;
    const hard = { aliveIn: alives.slice(0, L) as tf.Tensor1D, aliveOut: alives.slice(L, L) as tf.Tensor1D };
    const memoryNs = tf.div(hardCost(tables.bytes, hard), device.bandwidthGbps);
    const computeNs = tf.div(hardCost(tables.flops, hard), device.peakGflops);
    return tf.cast(tf.greater(memoryNs, computeNs), 'float32');
  });

  const groupAliveFlags = (): Uint8Array => {
    const aliveTensor = tf.tidy(() => groups.evaluate().alive);
    const groupAlive = Uint8Array.from(aliveTensor.dataSync());
    aliveTensor.dispose();
    return groupAlive;
  };
  const breakdown = (): CostBreakdown => evaluateCost(graph, coefficients, groupAliveFlags(), spec);

  return {
    name: `${ALGORITHM_NAMES[opts.algorithm]}${{ flops: 'Flops', 'model-size': 'ModelSize', latency: 'Latency' }[opts.cost]}`,
    costName: costNameOf(spec, opts.hardware),
    options: { ...opts, batchSize: spec.batchSize },
    graph,
    regularizationTerm: () =>
      tf.tidy(() => {
        const { values, alive } = groups.evaluate();
        const perLayer = tf.matMul(tables.multiplicity, tf.stack([values, alive], 1));
        const regs = perLayer.slice([0, 0], [2 * L, 1]).reshape([2 * L]);
        const alives = perLayer.slice([0, 1], [2 * L, 1]).reshape([2 * L]);
        const counts: Counts = {
          regIn: regs.slice(0, L) as tf.Tensor1D,
          regOut: regs.slice(L, L) as tf.Tensor1D,
          aliveIn: alives.slice(0, L) as tf.Tensor1D,
          aliveOut: alives.slice(L, L) as tf.Tensor1D,
        };
        if (spec.cost === 'flops') return tf.sum(relaxedCost(tables.flops, counts)) as tf.Scalar;
        if (spec.cost === 'model-size') return tf.sum(relaxedCost(tables.weights, counts)) as tf.Scalar;
        // Latency: each layer is charged by whichever roofline bound is active for the current structure.
        // Which bound is active is a decision on the hard counts, made off the gradient tape (tfjs has
        // no gradient for the comparison, and every latency term failed at its first training step).
        const device = spec.device as NonNullable<CostSpec['device']>;
        const memoryBound = memoryBoundOf(alives) as tf.Tensor1D;
        const perLayerTerm = tf.add(
          tf.mul(memoryBound, tf.div(relaxedCost(tables.bytes, counts), device.bandwidthGbps)),
          tf.mul(tf.sub(1, memoryBound), tf.div(relaxedCost(tables.flops, counts), device.peakGflops)),
        );
        // ReLUs only move memory: their own term, outside the bound chosen for the layer.
        const reluTerm = tf.div(relaxedCost(tables.reluBytes, counts), device.bandwidthGbps);
        return tf.sum(tf.add(perLayerTerm, reluTerm)) as tf.Scalar;
      }),
    cost: () => breakdown().total,
    costByLayer: () => breakdown().byLayer,
    aliveCounts: () => breakdown().aliveCounts,
    breakdown,
    switchOffDeadChannels: () => switchOffDeadChannels(graph, groupAliveFlags()),
    seedWidths: () =>
      Object.fromEntries(graph.prunableNames.map((n) => [n, (graph.byName.get(n) as GraphLayer).outputShape.at(-1) as number])),
    dispose: () => {
      groups.dispose();
      tf.dispose([tables.multiplicity, ...Object.values(tables.flops), ...Object.values(tables.weights), ...Object.values(tables.bytes), ...Object.values(tables.reluBytes)]);
    },
  };
}
