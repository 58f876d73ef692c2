import * as tf from '@tensorflow/tfjs';
import { OPTIMIZERS, type OptimizerName } from './optimizer-names.ts';
import { CorruptCheckpointError, InvalidTrainingSetupError } from './errors.ts';
import { decodeTensorBundle, encodeTensorBundle, type JsonValue, type NamedArray } from './tensor-bundle.ts';

/**
 * Everything needed to continue a run exactly where it stopped: all model variables (trainable and
 * batch-norm moving statistics), the optimizer's slots and iteration count, and the random state.
 * Batches and gate noise are derived from (seed, step) alone, so the seed is the whole RNG state.
 */
export interface TrainCheckpoint {
  /** Steps completed; a resumed run continues with step + 1. */
  step: number;
  /** model.weights in order, named by their layer-scoped names (e.g. "conv1/kernel"). */
  weights: NamedArray[];
  optimizerState: OptimizerState;
  rngState: RngState;
}

export interface OptimizerState {
  optimizer: OptimizerName;
  iterations: number;
  /** The optimizer's slot variables in its own order (tf.Optimizer.getWeights without "iter"). */
  slots: NamedArray[];
  /**
   * Adam's running powers beta1^t and beta2^t as it holds them: products of float32 roundings.
   * tfjs's setWeights recomputes them as pow(beta, t), which differs in the last bit at most steps,
   * so a resumed run would drift from the uninterrupted one. Empty for the other optimizers (and in
   * checkpoints written before they were stored).
   */
  runningPowers: NamedArray[];
}

export interface RngState {
  /** How randomness is derived from the seed; bump if the derivation ever changes. */
  scheme: 'per-step-seed-v1';
  seed: number;
}

/** The shape of the Checkpoint table's columns: binary weights and slots, JSON random state. */
export interface CheckpointRecord {
  step: number;
  weights: Uint8Array;
  optimizerState: Uint8Array;
  rngState: RngState;
}

async function toNamedArray(name: string, tensor: tf.Tensor): Promise<NamedArray> {
  const values = await tensor.data();
  if (values instanceof Float32Array) return { name, dtype: 'float32', shape: [...tensor.shape], values };
  if (values instanceof Int32Array) return { name, dtype: 'int32', shape: [...tensor.shape], values };
  throw new Error(`cannot checkpoint tensor "${name}" of dtype ${tensor.dtype}; only float32 and int32 are stored`);
}

function toTensor(array: NamedArray): tf.Tensor {
  return tf.tensor(array.values, array.shape, array.dtype);
}

export async function captureCheckpoint(
  step: number,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  optimizerName: OptimizerName,
  rngState: RngState,
): Promise<TrainCheckpoint> {
  const weights = await Promise.all(model.weights.map((variable) => toNamedArray(variable.originalName, variable.read())));
  const [iterationsEntry, ...slotEntries] = await optimizer.getWeights();
  // getWeights returns a fresh "iter" scalar but the live slot variables: dispose only the former.
  const iterations = (await iterationsEntry.tensor.data())[0];
  iterationsEntry.tensor.dispose();
  const slots = await Promise.all(slotEntries.map((slot, index) => toNamedArray(`slot${index}`, slot.tensor)));
  const runningPowers = await Promise.all(
    Object.entries(adamRunningPowers(optimizer) ?? {}).map(([name, variable]) => toNamedArray(name, variable)),
  );
  return { step, weights, optimizerState: { optimizer: optimizerName, iterations, slots, runningPowers }, rngState };
}

/** AdamOptimizer's private running powers (tfjs 4.22 field names), or undefined for other optimizers. */
function adamRunningPowers(optimizer: tf.Optimizer): Record<string, tf.Variable> | undefined {
  // Not instanceof: tfjs's optimizers answer it by duck typing, so every optimizer is an AdamOptimizer.
  if (optimizer.getClassName() !== tf.AdamOptimizer.className) return undefined;
  const { accBeta1, accBeta2 } = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (accBeta1 === undefined || accBeta2 === undefined) {
    throw new Error('tf.AdamOptimizer has no accBeta1/accBeta2; is @tensorflow/tfjs 4.22 installed?');
  }
  return { accBeta1, accBeta2 };
}

function describe(array: { name: string; shape: readonly number[] }): string {
  return `${array.name} [${array.shape.join(',')}]`;
}

/** Writes the checkpoint into the model and a freshly created optimizer of the same kind. */
export async function restoreCheckpoint(
  checkpoint: TrainCheckpoint,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  optimizerName: OptimizerName,
): Promise<void> {
  const problems: string[] = [];
  if (checkpoint.optimizerState.optimizer !== optimizerName) {
    problems.push(
      `checkpoint was written by the "${checkpoint.optimizerState.optimizer}" optimizer but this run uses ` +
        `"${optimizerName}"; resume with the same optimizer or start without the checkpoint`,
    );
  }
  const variables = model.weights;
  if (checkpoint.weights.length !== variables.length) {
    problems.push(
      `checkpoint holds ${checkpoint.weights.length} weights but the model has ${variables.length}; ` +
        'the checkpoint belongs to a different architecture',
    );
  } else {
    // Layer names are not compared: TF.js numbers auto-named layers per process (conv2d_Conv2D1,
    // then conv2d_Conv2D2 for the same architecture built again), so only kind and shape must match.
    const kindOf = (name: string) => name.slice(name.lastIndexOf('/') + 1);
    variables.forEach((variable, index) => {
      const stored = checkpoint.weights[index];
      const expected = { name: variable.originalName, shape: variable.shape as number[] };
      if (kindOf(stored.name) !== kindOf(expected.name) || stored.shape.join(',') !== expected.shape.join(',')) {
        problems.push(`weight ${index} is ${describe(stored)} in the checkpoint but ${describe(expected)} in the model`);
      }
    });
  }
  if (problems.length > 0) throw new InvalidTrainingSetupError(problems);

  tf.tidy(() => variables.forEach((variable, index) => variable.write(toTensor(checkpoint.weights[index]))));
  const entries: { name: string; tensor: tf.Tensor }[] = [
    { name: 'iter', tensor: tf.scalar(checkpoint.optimizerState.iterations, 'int32') },
    ...checkpoint.optimizerState.slots.map((slot) => ({ name: slot.name, tensor: toTensor(slot) })),
  ];
  // setWeights wraps each tensor in a new variable sharing its data, so ours can be released after.
  await optimizer.setWeights(entries);
  tf.dispose(entries.map((entry) => entry.tensor));
  const powers = adamRunningPowers(optimizer);
  for (const stored of checkpoint.optimizerState.runningPowers) {
    tf.tidy(() => powers?.[stored.name]?.assign(toTensor(stored)));
  }
}

const CHECKPOINT_KIND = 'morphsweep-train-checkpoint';
const WEIGHT_PREFIX = 'weights/';
const SLOT_PREFIX = 'slots/';
const POWER_PREFIX = 'powers/';

function isRngState(value: unknown): value is RngState {
  const candidate = value as RngState | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.scheme === 'per-step-seed-v1' &&
    Number.isInteger(candidate.seed)
  );
}

function isOptimizerName(value: unknown): value is OptimizerName {
  return typeof value === 'string' && (OPTIMIZERS as readonly string[]).includes(value);
}

export function serializeCheckpoint(checkpoint: TrainCheckpoint): Uint8Array {
  const { optimizer, iterations, slots, runningPowers } = checkpoint.optimizerState;
  const meta = {
    kind: CHECKPOINT_KIND,
    step: checkpoint.step,
    rngState: { ...checkpoint.rngState },
    optimizer,
    iterations,
  } satisfies JsonValue;
  return encodeTensorBundle(meta, [
    ...checkpoint.weights.map((array) => ({ ...array, name: WEIGHT_PREFIX + array.name })),
    ...slots.map((array) => ({ ...array, name: SLOT_PREFIX + array.name })),
    ...runningPowers.map((array) => ({ ...array, name: POWER_PREFIX + array.name })),
  ]);
}

export function deserializeCheckpoint(bytes: Uint8Array): TrainCheckpoint {
  const { meta, arrays } = decodeTensorBundle(bytes);
  const header = meta as { kind?: unknown; step?: unknown; rngState?: unknown; optimizer?: unknown; iterations?: unknown };
  if (
    header?.kind !== CHECKPOINT_KIND ||
    !Number.isInteger(header.step) ||
    !isRngState(header.rngState) ||
    !isOptimizerName(header.optimizer) ||
    !Number.isInteger(header.iterations)
  ) {
    throw new CorruptCheckpointError(
      'tensor bundle is not a training checkpoint (header lacks kind/step/rngState/optimizer/iterations)',
    );
  }
  const strip = (prefix: string) =>
    arrays.filter((array) => array.name.startsWith(prefix)).map((array) => ({ ...array, name: array.name.slice(prefix.length) }));
  return {
    step: header.step as number,
    weights: strip(WEIGHT_PREFIX),
    optimizerState: {
      optimizer: header.optimizer,
      iterations: header.iterations as number,
      slots: strip(SLOT_PREFIX),
      runningPowers: strip(POWER_PREFIX),
    },
    rngState: header.rngState,
  };
}

/** Splits a checkpoint into the Checkpoint table's columns (weights and optimizer state as bytes). */
export function checkpointToRecord(checkpoint: TrainCheckpoint): CheckpointRecord {
  const { optimizer, iterations, slots, runningPowers } = checkpoint.optimizerState;
  const powers = runningPowers.map((array) => ({ ...array, name: POWER_PREFIX + array.name }));
  return {
    step: checkpoint.step,
    weights: encodeTensorBundle({ kind: 'weights' }, checkpoint.weights),
    optimizerState: encodeTensorBundle({ kind: 'optimizer-state', optimizer, iterations }, [...slots, ...powers]),
    rngState: checkpoint.rngState,
  };
}

/** Accepts the row as the database returns it: rngState is untyped JSON there, checked here. */
export function checkpointFromRecord(record: Omit<CheckpointRecord, 'rngState'> & { rngState: unknown }): TrainCheckpoint {
  const weights = decodeTensorBundle(record.weights);
  const optimizerBundle = decodeTensorBundle(record.optimizerState);
  const optimizerMeta = optimizerBundle.meta as { kind?: unknown; optimizer?: unknown; iterations?: unknown };
  if ((weights.meta as { kind?: unknown })?.kind !== 'weights') {
    throw new CorruptCheckpointError('the weights column does not hold a weights bundle');
  }
  if (
    optimizerMeta?.kind !== 'optimizer-state' ||
    !isOptimizerName(optimizerMeta.optimizer) ||
    !Number.isInteger(optimizerMeta.iterations)
  ) {
    throw new CorruptCheckpointError('the optimizerState column does not hold an optimizer-state bundle');
  }
  if (!isRngState(record.rngState)) {
    throw new CorruptCheckpointError(`rngState ${JSON.stringify(record.rngState)} is not a per-step-seed-v1 state`);
  }
  return {
    step: record.step,
    weights: weights.arrays,
    optimizerState: {
      optimizer: optimizerMeta.optimizer,
      iterations: optimizerMeta.iterations as number,
      slots: optimizerBundle.arrays.filter((array) => !array.name.startsWith(POWER_PREFIX)),
      runningPowers: optimizerBundle.arrays
        .filter((array) => array.name.startsWith(POWER_PREFIX))
        .map((array) => ({ ...array, name: array.name.slice(POWER_PREFIX.length) })),
    },
    rngState: record.rngState,
  };
}
