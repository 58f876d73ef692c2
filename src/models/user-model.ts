import * as tf from '@tensorflow/tfjs';
// Our BatchNormalization and Conv2D register under tfjs-layers' class names: a user's model loads
// onto the fast training layers the seed networks use.
import './batch-norm.ts';
import './conv2d.ts';
import { addGates } from '../morphnet/add-gates.ts';
import { buildChannelGraph } from '../morphnet/graph.ts';
import { createNetworkRegularizer } from '../morphnet/network-regularizer.ts';
import type { CostKind, RegularizerAlgorithm } from '../morphnet/kinds.ts';
import { RegularizerSetupError, UnsupportedLayerError } from '../morphnet/errors.ts';
import {
  InvalidUserModelError,
  layerClassProblems,
  MAX_USER_MODEL_BYTES,
  MAX_USER_MODEL_PARAMS,
  parseModelJson,
  trainableTopology,
  weightBytesOf,
  weightSpecsOf,
  type ExportedLayersModel,
  type ModelProblem,
  type UserModelArtifacts,
  type UserModelSummary,
} from './user-model-json.ts';

export * from './user-model-json.ts';

/**
 * The user's network as TF.js objects: built from stored artifacts (never from code), checked
 * against a sweep's dataset and regularizer, and exported again after retraining.
 */

const registered = (className: string): boolean => Object.hasOwn(tf.serialization.SerializationMap.getMap().classNameMap, className);

export interface BuiltUserModel {
  /** Outputs logits (a softmax on the output was taken off; see trainableTopology). */
  model: tf.LayersModel;
  /** The user's model ended in a softmax: exportLayersModel puts it back. */
  outputSoftmax: boolean;
}

/**
 * Build the network. With `withWeights` the user's weights are loaded (fine-tuning); otherwise every
 * layer starts from its initializers. With `gated`, a FiGS gate follows each prunable conv's (or
 * dense's) batch norm, or the layer itself where it has none.
 */
export async function buildUserModel(
  artifacts: UserModelArtifacts,
  options: { withWeights?: boolean; gated?: boolean; gateSeed?: number } = {},
): Promise<BuiltUserModel> {
  const { topology, outputSoftmax } = trainableTopology(artifacts.modelTopology);
  const withWeights = options.withWeights === true && artifacts.weightData !== undefined;
  const handler = tf.io.fromMemory({
    modelTopology: topology,
    ...(withWeights ? { weightSpecs: artifacts.weightSpecs, weightData: copyToArrayBuffer(artifacts.weightData!) } : {}),
  });
  const loaded = await tf.loadLayersModel(handler, { strict: true });
  if (!options.gated) return { model: loaded, outputSoftmax };
  try {
    return { model: addGates(loaded, { seed: options.gateSeed }), outputSoftmax };
  } finally {
    loaded.dispose();
  }
}

function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** What a sweep is checked against: the regularizer it will run and the dataset it will see. */
export interface UserModelCheckContext {
  algorithm?: RegularizerAlgorithm;
  cost?: CostKind;
  /** [height, width, channels] of the dataset. */
  inputShape?: readonly number[];
  numClasses?: number;
}


export interface UserModelReport {
  problems: ModelProblem[];
  /** Not fatal, but worth knowing (e.g. layers the gamma regularizer cannot prune). */
  warnings: ModelProblem[];
  summary?: UserModelSummary;
  /** The parsed model as it is stored and built (the model.json's topology, with the weights given). */
  artifacts?: UserModelArtifacts;
}

/**
 * Every problem of a model (and, given a context, of sweeping it on that dataset with that
 * regularizer) at once. Only what passes the class check is deserialized.
 */
export async function checkUserModel(modelJson: unknown, weightData: Uint8Array | undefined, context: UserModelCheckContext = {}): Promise<UserModelReport> {
  const { modelJson: parsed, problems } = parseModelJson(modelJson);
  if (!parsed) return { problems, warnings: [] };
  problems.push(...layerClassProblems(parsed, registered));
  const weightSpecs = weightSpecsOf(parsed);
  const topologyBytes = Buffer.byteLength(JSON.stringify(parsed.modelTopology));
  const totalBytes = topologyBytes + (weightData?.byteLength ?? 0);
  if (totalBytes > MAX_USER_MODEL_BYTES) {
    problems.push({ message: `the model is ${totalBytes} bytes (topology and weights); the limit is ${MAX_USER_MODEL_BYTES}: sweep a smaller network` });
  }
  if (weightData !== undefined) {
    if (weightSpecs === undefined) {
      problems.push({ message: 'weights were given but the model.json has no weightsManifest; send the model.json the weights were saved with' });
    } else if (weightBytesOf(weightSpecs) !== weightData.byteLength) {
      problems.push({
        message:
          `the weights are ${weightData.byteLength} bytes but the weightsManifest describes ${weightBytesOf(weightSpecs)}; ` +
          "send every file of the manifest's paths, concatenated in manifest order",
      });
    }
  }
  if (problems.length > 0) return { problems, warnings: [] };

  const artifacts: UserModelArtifacts = { modelTopology: parsed.modelTopology, ...(weightData ? { weightSpecs, weightData } : {}) };
  let built: BuiltUserModel;
  try {
    built = await buildUserModel(artifacts, { withWeights: weightData !== undefined });
  } catch (error) {
    return { problems: [{ message: `TF.js cannot build the model: ${(error as Error).message}; check that it loads with tf.loadLayersModel` }], warnings: [] };
  }
  try {
    return { ...checkBuiltModel(built, artifacts, context), artifacts };
  } finally {
    built.model.dispose();
  }
}

function checkBuiltModel({ model, outputSoftmax }: BuiltUserModel, artifacts: UserModelArtifacts, context: UserModelCheckContext): UserModelReport {
  const problems: ModelProblem[] = [];
  const warnings: ModelProblem[] = [];
  const params = model.countParams();
  if (params > MAX_USER_MODEL_PARAMS) {
    problems.push({ message: `the model has ${params} parameters; the limit is ${MAX_USER_MODEL_PARAMS}: sweep a smaller network` });
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    problems.push({ message: `the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; MorphSweep sweeps image classifiers with one of each` });
  }
  const input = model.inputs[0]!;
  const output = model.outputs[0]!;
  const inputShape = input.shape.slice(1);
  const outputLayer = output.sourceLayer;
  if (inputShape.length !== 3) {
    problems.push({ layer: input.sourceLayer.name, className: 'InputLayer', message: `the input is [${inputShape.join(', ')}]; MorphSweep feeds images as [height, width, channels]` });
  } else if (context.inputShape && inputShape.join('x') !== context.inputShape.join('x')) {
    problems.push({
      layer: input.sourceLayer.name,
      className: 'InputLayer',
      message: `the model takes inputs of shape [${inputShape.join(', ')}] but the dataset's images are [${context.inputShape.join(', ')}] (height, width, channels); build the model for the dataset's images, or pick a dataset of that shape`,
    });
  }
  const outputWidth = output.shape.length === 2 ? output.shape[1] : null;
  if (output.shape.length !== 2) {
    problems.push({ layer: outputLayer.name, className: outputLayer.getClassName(), message: `the output is [${output.shape.slice(1).join(', ')}]; MorphSweep trains classifiers whose output is one logit per class` });
  } else if (context.numClasses !== undefined && outputWidth !== context.numClasses) {
    problems.push({
      layer: outputLayer.name,
      className: outputLayer.getClassName(),
      message: `the output has ${outputWidth} units but the dataset has ${context.numClasses} classes; give the last layer ${context.numClasses} units`,
    });
  }
  const activation = (outputLayer.getConfig() as { activation?: unknown }).activation;
  if (typeof activation === 'string' && activation !== 'linear') {
    problems.push({
      layer: outputLayer.name,
      className: outputLayer.getClassName(),
      message: `the output activation is ${activation}; training uses softmax cross-entropy on logits: end the model with a linear or softmax output`,
    });
  }
  let prunableLayers: string[] = [];
  if (problems.length === 0) prunableLayers = regularizerProblems(model, context, problems, warnings);
  const summary: UserModelSummary = {
    name: model.name,
    layers: model.layers.length,
    params,
    inputShape,
    outputWidth,
    outputSoftmax,
    hasWeights: artifacts.weightData !== undefined,
    prunableLayers,
  };
  return { problems, warnings, summary };
}

/**
 * Crawl the model as the sweep will (gated for FiGS) and build its regularizer; returns the layers
 * whose width is learned. Layers the chosen algorithm cannot reach become warnings.
 */
function regularizerProblems(model: tf.LayersModel, context: UserModelCheckContext, problems: ModelProblem[], warnings: ModelProblem[]): string[] {
  const algorithm = context.algorithm ?? 'logistic-sigmoid';
  const crawled = algorithm === 'logistic-sigmoid' ? addGates(model) : model;
  try {
    const graph = buildChannelGraph(crawled);
    const groupsOf = (name: string) => Array.from(graph.byName.get(name)!.outputGroups);
    const learned = graph.prunableNames.filter((name) => groupsOf(name).some((group) => graph.pinnedGroups[group] !== 1));
    if (learned.length === 0) {
      problems.push({ message: 'nothing in the model is prunable: every conv and dense width is tied to the input or output; add hidden Conv2D or Dense layers' });
      return [];
    }
    if (algorithm === 'gamma') {
      for (const name of learned) {
        const reached = groupsOf(name).some((group) => graph.sourcesByGroup[group]!.some((source) => source.kind === 'gamma'));
        if (reached) continue;
        warnings.push({
          layer: name,
          className: model.getLayer(name).getClassName(),
          message:
            'no BatchNormalization follows it, and the gamma regularizer reads batch-norm scales: its width will not be learned; ' +
            'add a BatchNormalization after it, or sweep with logistic-sigmoid or group-lasso (both work without batch norm)',
        });
      }
    }
    // The regularizer the runs will build, built once here: what it refuses, the runs would too.
    createNetworkRegularizer(crawled, { algorithm, cost: context.cost ?? 'flops', threshold: algorithm === 'logistic-sigmoid' ? 0.1 : 0.01 }).dispose();
    return learned;
  } catch (error) {
    if (error instanceof UnsupportedLayerError) {
      problems.push({ layer: error.layerName, className: error.layerType, message: error.fix });
    } else if (error instanceof RegularizerSetupError) {
      problems.push({ message: `the ${algorithm} regularizer cannot be built on this model: ${error.message}` });
    } else {
      throw error;
    }
    return [];
  } finally {
    if (crawled !== model) crawled.dispose();
  }
}

/** Throws InvalidUserModelError listing every problem; returns the report otherwise. */
export async function requireSweepableModel(
  modelJson: unknown,
  weightData: Uint8Array | undefined,
  context: UserModelCheckContext = {},
): Promise<UserModelReport & { summary: UserModelSummary; artifacts: UserModelArtifacts }> {
  const report = await checkUserModel(modelJson, weightData, context);
  if (report.problems.length > 0 || !report.summary || !report.artifacts) throw new InvalidUserModelError(report.problems);
  return report as UserModelReport & { summary: UserModelSummary; artifacts: UserModelArtifacts };
}

/** Stored artifacts as a model.json again (for checks that read one). */
export function storedModelJson(artifacts: UserModelArtifacts): Record<string, unknown> {
  return {
    modelTopology: artifacts.modelTopology,
    ...(artifacts.weightSpecs ? { weightsManifest: [{ paths: [], weights: artifacts.weightSpecs }] } : {}),
  };
}

/**
 * The model as the user gets it back: with the output softmax restored when theirs had one, as a
 * TF.js Layers model that tf.loadLayersModel and tensorflowjs_converter read.
 */
export async function exportLayersModel(model: tf.LayersModel, options: { outputSoftmax: boolean }): Promise<ExportedLayersModel> {
  const exported = options.outputSoftmax
    ? tf.model({ inputs: model.inputs, outputs: tf.layers.softmax({ name: 'output_softmax' }).apply(model.outputs[0]!) as tf.SymbolicTensor, name: model.name })
    : model;
  let captured: tf.io.ModelArtifacts | undefined;
  await exported.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const weightData = captured!.weightData;
  const buffer = Array.isArray(weightData) ? tf.io.concatenateArrayBuffers(weightData) : (weightData ?? new ArrayBuffer(0));
  return {
    modelTopology: captured!.modelTopology as Record<string, unknown>,
    weightSpecs: (captured!.weightSpecs ?? []) as ExportedLayersModel['weightSpecs'],
    weightData: new Uint8Array(buffer),
  };
}
