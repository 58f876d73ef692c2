import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SUPPORTED_LAYER_CLASSES, unsupportedLayerFix } from '../morphnet/layer-roles.ts';

/**
 * A user's network as data: the TF.js Layers model.json (what `model.save()` writes and what
 * `tensorflowjs_converter --input_format keras` produces), read without TF.js. Here the topology is
 * checked layer by layer before anything is deserialized, so only known layer classes ever reach
 * TF.js: a model.json carries no code, and nothing in it is run.
 */

/** Topology plus weights past this are refused: Postgres stores them, every worker loads them. */
export const MAX_USER_MODEL_BYTES = 32 * 1024 * 1024;
/** Parameters past this (float32: 32 MiB) are refused even when no weights are sent. */
export const MAX_USER_MODEL_PARAMS = 8 * 1024 * 1024;
/** Layers past this are refused (a pasted graph, not a network to sweep). */
export const MAX_USER_MODEL_LAYERS = 2000;

const MODEL_CLASSES = new Set(['Model', 'Functional', 'Sequential']);

/** One problem of a model: the layer (when there is one), its class, and what to do. */
export interface ModelProblem {
  layer?: string;
  className?: string;
  message: string;
}

export class InvalidUserModelError extends Error {
  constructor(readonly problems: ModelProblem[]) {
    super(
      `the model cannot be swept (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${describeProblem(p)}`).join('\n'),
    );
    this.name = 'InvalidUserModelError';
  }
}

export function describeProblem(problem: ModelProblem): string {
  const where = problem.layer ? `layer "${problem.layer}"${problem.className ? ` (${problem.className})` : ''}: ` : '';
  return `${where}${problem.message}`;
}

const WeightSpecSchema = z
  .object({
    name: z.string().min(1),
    shape: z.array(z.number().int().min(0)),
    dtype: z.enum(['float32', 'int32', 'bool']),
  })
  .loose();

export type WeightSpec = z.infer<typeof WeightSpecSchema>;

/** The model.json envelope: { modelTopology, weightsManifest?, format?, ... }. */
export const ModelJsonSchema = z
  .object({
    format: z.string().optional(),
    modelTopology: z.object({ class_name: z.string(), config: z.record(z.string(), z.unknown()) }).loose(),
    weightsManifest: z
      .array(z.object({ paths: z.array(z.string()), weights: z.array(WeightSpecSchema) }).loose())
      .optional(),
  })
  .loose();

export type ModelJson = z.infer<typeof ModelJsonSchema>;

/** What is stored and built: the topology, and the weights when the user gave them (manifest order). */
export interface UserModelArtifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs?: WeightSpec[];
  weightData?: Uint8Array;
}

/** A model as TF.js Layers artifacts (model.json topology, weight specs, one weights buffer). */
export interface ExportedLayersModel {
  modelTopology: Record<string, unknown>;
  weightSpecs: { name: string; shape: number[]; dtype: string }[];
  weightData: Uint8Array;
  /** model.json's userDefinedMetadata (e.g. the input normalization the network was trained with). */
  metadata?: Record<string, unknown>;
}

export interface UserModelSummary {
  name: string;
  layers: number;
  params: number;
  inputShape: (number | null)[];
  outputWidth: number | null;
  outputSoftmax: boolean;
  hasWeights: boolean;
  /** Conv, depthwise and dense layers whose width MorphNet learns (the output layer's is fixed). */
  prunableLayers: string[];
}

/** One layer as the topology names it. */
export interface TopologyLayer {
  name: string;
  className: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parse a model.json; a problem list (never a throw) so that it joins the other problems. */
export function parseModelJson(input: unknown): { modelJson?: ModelJson; problems: ModelProblem[] } {
  const parsed = ModelJsonSchema.safeParse(unwrapModelConfig(input));
  if (parsed.success) return { modelJson: parsed.data, problems: [] };
  return {
    problems: [
      {
        message:
          'not a TF.js Layers model.json (' +
          parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') +
          '); save the model with model.save() in TF.js or convert it with tensorflowjs_converter --input_format keras',
      },
    ],
  };
}

/**
 * tensorflowjs_converter writes Keras's save format: modelTopology = {keras_version, backend,
 * model_config: {class_name, config}, training_config}. TF.js reads model_config; so do we.
 */
function unwrapModelConfig(input: unknown): unknown {
  if (!isRecord(input) || !isRecord(input.modelTopology) || !isRecord(input.modelTopology.model_config)) return input;
  return { ...input, modelTopology: input.modelTopology.model_config };
}

/** The weight specs of every manifest group, in file order (the order the weight bytes are concatenated). */
export function weightSpecsOf(modelJson: ModelJson): WeightSpec[] | undefined {
  return modelJson.weightsManifest?.flatMap((group) => group.weights);
}

const DTYPE_BYTES: Record<WeightSpec['dtype'], number> = { float32: 4, int32: 4, bool: 1 };

export function weightBytesOf(specs: WeightSpec[]): number {
  return specs.reduce((total, spec) => total + spec.shape.reduce((n, d) => n * d, 1) * DTYPE_BYTES[spec.dtype], 0);
}

/** Layers of a Sequential or functional topology, by name and class. */
export function topologyLayers(topology: Record<string, unknown>): TopologyLayer[] {
  const config = isRecord(topology.config) ? topology.config : {};
  const rawLayers = Array.isArray(config.layers) ? config.layers : Array.isArray(topology.config) ? topology.config : [];
  return rawLayers.filter(isRecord).map((layer, index) => {
    const layerConfig = isRecord(layer.config) ? layer.config : {};
    return { name: String(layer.name ?? layerConfig.name ?? `layer_${index}`), className: String(layer.class_name) };
  });
}

/** inbound_nodes: [[[name, node, tensor, kwargs], ...]] (Keras 2 / TF.js) or [{args: [{config: {keras_history: [name, ...]}}]}] (Keras 3). */
function inboundNames(nodes: unknown[]): string[] {
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      if (typeof value[0] === 'string' && typeof value[1] === 'number') names.push(value[0]);
      else value.forEach(visit);
    } else if (isRecord(value)) {
      if (Array.isArray(value.keras_history) && typeof value.keras_history[0] === 'string') names.push(value.keras_history[0]);
      else Object.values(value).forEach(visit);
    }
  };
  visit(nodes);
  return names;
}

/**
 * Every layer whose class the crawler cannot handle or TF.js does not know, at once. Unknown classes
 * are never looked up anywhere: a custom class would need its code, which a model.json cannot carry
 * and MorphSweep would never run.
 */
export function layerClassProblems(modelJson: ModelJson, registered: (className: string) => boolean): ModelProblem[] {
  const topology = modelJson.modelTopology;
  if (!MODEL_CLASSES.has(topology.class_name)) {
    return [{ message: `the topology is a ${topology.class_name}; a model.json holds a Sequential or functional Model (tf.model / keras.Model)` }];
  }
  const layers = topologyLayers(topology);
  const problems: ModelProblem[] = [];
  if (layers.length === 0) problems.push({ message: 'the topology holds no layers' });
  if (layers.length > MAX_USER_MODEL_LAYERS) {
    problems.push({ message: `the model has ${layers.length} layers; the limit is ${MAX_USER_MODEL_LAYERS}: sweep a smaller network` });
  }
  for (const layer of layers) {
    const { name, className } = layer;
    if (SUPPORTED_LAYER_CLASSES.includes(className)) continue;
    if (MODEL_CLASSES.has(className)) {
      problems.push({ layer: name, className, message: unsupportedLayerFix('Functional') });
    } else if (className === 'Lambda' || className === 'TFOpLambda' || className === 'SlicingOpLambda') {
      problems.push({
        layer: name,
        className,
        message:
          'a Lambda layer holds Python code, which a model.json cannot carry and MorphSweep never runs; ' +
          `rewrite it with built-in layers (supported: ${SUPPORTED_LAYER_CLASSES.join(', ')})`,
      });
    } else if (!registered(className)) {
      problems.push({
        layer: name,
        className,
        message:
          `custom class ${className} is not registered: only built-in layer classes are deserialized (a custom layer's code is never run); ` +
          `rewrite it with supported layers: ${SUPPORTED_LAYER_CLASSES.join(', ')}`,
      });
    } else {
      problems.push({ layer: name, className, message: unsupportedLayerFix(className) });
    }
  }
  return problems;
}

/** Keys sorted at every level, so one topology has one text (and one hash) however it was written. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Content address of a model: sha256 over its canonical topology, weight specs and weight bytes. */
export function userModelId(artifacts: UserModelArtifacts): string {
  const hash = createHash('sha256');
  hash.update(canonicalJson({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs ?? null }));
  hash.update('\n');
  if (artifacts.weightData) hash.update(artifacts.weightData);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * The topology the training loop needs: its loss takes logits, so a softmax on the output (the
 * output Dense's activation, or a trailing Softmax / Activation('softmax') layer) is taken off here
 * and put back on export. Keras 3's `batch_shape` is renamed to TF.js's `batch_input_shape`.
 * Returns a copy; the stored topology stays as the user sent it.
 */
export function trainableTopology(topology: Record<string, unknown>): { topology: Record<string, unknown>; outputSoftmax: boolean } {
  const copy = structuredClone(topology) as Record<string, unknown>;
  const config = copy.config as Record<string, unknown>;
  const layers = (Array.isArray(config.layers) ? config.layers : []) as Record<string, unknown>[];
  for (const layer of layers) {
    const layerConfig = layer.config as Record<string, unknown> | undefined;
    if (layerConfig && layerConfig.batch_shape !== undefined && layerConfig.batch_input_shape === undefined) {
      layerConfig.batch_input_shape = layerConfig.batch_shape;
      delete layerConfig.batch_shape;
    }
  }
  const sequential = copy.class_name === 'Sequential';
  const outputName = sequential ? undefined : singleOutputName(config);
  const outputIndex = sequential ? layers.length - 1 : layers.findIndex((l) => l.name === outputName);
  const output = layers[outputIndex];
  if (!output) return { topology: copy, outputSoftmax: false };
  const outputConfig = (output.config ?? {}) as Record<string, unknown>;
  const isSoftmaxLayer = output.class_name === 'Softmax' || (output.class_name === 'Activation' && outputConfig.activation === 'softmax');
  if (outputConfig.activation === 'softmax' && !isSoftmaxLayer) {
    outputConfig.activation = 'linear';
    return { topology: copy, outputSoftmax: true };
  }
  if (!isSoftmaxLayer) return { topology: copy, outputSoftmax: false };
  layers.splice(outputIndex, 1);
  if (!sequential) {
    const [previous] = inboundNames(output.inbound_nodes as unknown[]);
    config.output_layers = [[previous, 0, 0]];
  }
  return { topology: copy, outputSoftmax: true };
}

function singleOutputName(config: Record<string, unknown>): string | undefined {
  const outputs = config.output_layers;
  if (!Array.isArray(outputs)) return undefined;
  // [[name, 0, 0]] or, from some converters, [name, 0, 0] for a single output.
  if (typeof outputs[0] === 'string') return outputs[0];
  return outputs.length === 1 && Array.isArray(outputs[0]) ? String(outputs[0][0]) : undefined;
}

/** The file name an exported model.json gives its one weights file (resolved against the model.json's URL or folder). */
export const EXPORTED_WEIGHTS_FILE = 'weights.bin';

/** A model.json for exported artifacts whose weights are one file beside it. */
export function exportedModelJson(exported: Pick<ExportedLayersModel, 'modelTopology' | 'weightSpecs' | 'metadata'>, generatedBy: string): Record<string, unknown> {
  return {
    format: 'layers-model',
    generatedBy,
    convertedBy: null,
    modelTopology: exported.modelTopology,
    weightsManifest: [{ paths: [EXPORTED_WEIGHTS_FILE], weights: exported.weightSpecs }],
    ...(exported.metadata ? { userDefinedMetadata: exported.metadata } : {}),
  };
}

/**
 * What the exported network expects of its input: the per-channel standardization its training
 * data went through, stated so that a user feeds it the same (x * pixelScale - mean) / std.
 */
export function inputNormalizationMetadata(normalization: { pixelScale: number; meanPerChannel: number[]; stdPerChannel: number[] }): Record<string, unknown> {
  return {
    morphsweepInputNormalization: {
      formula: 'input = (pixels * pixelScale - meanPerChannel[c]) / stdPerChannel[c], channels last',
      pixelScale: normalization.pixelScale,
      meanPerChannel: normalization.meanPerChannel,
      stdPerChannel: normalization.stdPerChannel,
    },
  };
}
