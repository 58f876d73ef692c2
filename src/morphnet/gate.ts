import * as tf from '@tensorflow/tfjs';

export interface LogisticSigmoidGateArgs {
  name?: string;
  trainable?: boolean;
  /** Relaxation temperature of the training-time mask (FiGS default 0.001). */
  temperature?: number;
  /** Initial log-odds of every channel being on (FiGS default 2.5, p = 0.924). */
  logOddsInit?: number;
  /** Forward a hard 0/1 sample, backward the relaxed gradient. */
  straightThrough?: boolean;
  /** At inference multiply the 1[logit > 0] mask by sigmoid(logit), like dropout's rescale. */
  softMaskForInference?: boolean;
  /** If set, the temperature decays 10x every `annealingRate` training calls. */
  annealingRate?: number | null;
  /** Seeds the logistic noise (seed + number of samples drawn) so runs and resumes repeat. */
  seed?: number | null;
  /**
   * At inference keep the channels with sigmoid(logit) >= this probability; null (FiGS's own rule)
   * keeps those with logit > 0. createNetworkRegularizer sets its alive threshold here.
   */
  aliveProbability?: number | null;
}

type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

/**
 * FiGS probabilistic channel gate (Fine-Grained Stochastic Architecture Search). One logit per
 * channel of the last axis. Training (kwargs.training): a logistic-noise relaxed Bernoulli sample
 * sigmoid((logit + noise) / temperature). Inference: the deterministic mask
 * 1[logit > 0] * sigmoid(logit), or 1[sigmoid(logit) >= aliveProbability] * sigmoid(logit).
 */
export class LogisticSigmoidGate extends tf.layers.Layer {
  static className = 'LogisticSigmoidGate';
  readonly temperature: number;
  readonly logOddsInit: number;
  readonly straightThrough: boolean;
  readonly softMaskForInference: boolean;
  readonly annealingRate: number | null;
  readonly seed: number | null;
  /**
   * Set by the regularizer to its alive threshold, so that evaluating the gated network measures the
   * channels the regularizer counts in the cost and the exported structure keeps. With FiGS's own
   * rule (p > 0.5) against an alive threshold of 0.1, channels with p in [0.1, 0.5] were charged and
   * kept but switched off whenever accuracy was measured.
   */
  aliveProbability: number | null;
  /** Training-time samples drawn so far; drives annealing and seeding (save it to resume exactly). */
  samplesDrawn = 0;
  /** Noise seed set by the training loop for the current step; wins over `seed` when present. */
  private stepSeed: number | null = null;
  private logits: LayerVariable | null = null;

  constructor(args: LogisticSigmoidGateArgs = {}) {
    super({ name: args.name, trainable: args.trainable });
    this.temperature = args.temperature ?? 0.001;
    this.logOddsInit = args.logOddsInit ?? 2.5;
    this.straightThrough = args.straightThrough ?? false;
    this.softMaskForInference = args.softMaskForInference ?? true;
    this.annealingRate = args.annealingRate ?? null;
    this.seed = args.seed ?? null;
    this.aliveProbability = args.aliveProbability ?? null;
    if (!(this.temperature > 0)) throw new Error(`LogisticSigmoidGate temperature must be > 0, got ${this.temperature}`);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels === null) throw new Error(`LogisticSigmoidGate "${this.name}" needs a known channel count`);
    this.logits = this.addWeight('logits', [channels], 'float32', tf.initializers.constant({ value: this.logOddsInit }));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /**
   * Called by src/train before every training step: that step's noise then depends only on
   * (seed, step), and annealing follows the step, so a run resumed from a checkpoint draws exactly
   * the noise an uninterrupted run would have drawn, with no gate state to save.
   */
  setNoiseSeed(seed: number, step: number): void {
    this.stepSeed = seed;
    this.samplesDrawn = step - 1;
  }

  /** The temperature used by the next training call. */
  currentTemperature(): number {
    if (this.annealingRate === null) return this.temperature;
    return this.temperature * 0.1 ** (this.samplesDrawn / this.annealingRate);
  }

  /** sigmoid(logits): each channel's probability of being on. */
  probabilities(): tf.Tensor1D {
    return tf.sigmoid(this.logitsVariable()) as tf.Tensor1D;
  }

  logitsVariable(): tf.Variable {
    if (!this.logits) throw new Error(`LogisticSigmoidGate "${this.name}" is not built yet; apply it to a tensor first`);
    return this.logits.read() as tf.Variable;
  }

  /** A training-time mask: relaxed (or straight-through) sample of Bernoulli(sigmoid(logits)). */
  sampleMask(): tf.Tensor1D {
    const logits = this.logitsVariable();
    const temperature = this.currentTemperature();
    const seed = this.stepSeed ?? (this.seed === null ? undefined : this.seed + this.samplesDrawn);
    this.samplesDrawn += 1;
    return tf.tidy(() => {
      // Logistic(0, 1) noise by inverse CDF; the clamp keeps log() finite.
      const u = tf.randomUniform(logits.shape, 1e-6, 1 - 1e-6, 'float32', seed);
      const noise = tf.sub(tf.log(u), tf.log(tf.sub(1, u)));
      if (!this.straightThrough) return tf.sigmoid(tf.div(tf.add(logits, noise), temperature)) as tf.Tensor1D;
      const hardForwardSoftBackward = tf.customGrad(((l: tf.Tensor, save: tf.GradSaveFunc) => {
        const shifted = tf.add(l, noise);
        save([tf.sigmoid(tf.div(shifted, temperature))]);
        return {
          value: tf.cast(tf.greater(shifted, 0), 'float32'),
          gradFunc: (dy: tf.Tensor, [soft]: tf.Tensor[]) => tf.mul(dy, tf.div(tf.mul(soft, tf.sub(1, soft)), temperature)),
        };
      }) as unknown as Parameters<typeof tf.customGrad>[0]);
      return hardForwardSoftBackward(logits) as tf.Tensor1D;
    });
  }

  /** The deterministic inference mask. */
  inferenceMask(): tf.Tensor1D {
    return tf.tidy(() => {
      const logits = this.logitsVariable();
      const isOn = this.aliveProbability === null ? tf.greater(logits, 0) : tf.greaterEqual(tf.sigmoid(logits), this.aliveProbability);
      const on = tf.cast(isOn, 'float32');
      return (this.softMaskForInference ? tf.mul(on, tf.sigmoid(logits)) : on) as tf.Tensor1D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const mask = kwargs.training ? this.sampleMask() : this.inferenceMask();
      return tf.mul(x, mask);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      temperature: this.temperature,
      logOddsInit: this.logOddsInit,
      straightThrough: this.straightThrough,
      softMaskForInference: this.softMaskForInference,
      annealingRate: this.annealingRate,
      seed: this.seed,
      aliveProbability: this.aliveProbability,
    };
  }
}
tf.serialization.registerClass(LogisticSigmoidGate);

/** Apply a new gate to a symbolic tensor (functional-API helper). */
export function gate(x: tf.SymbolicTensor, args: LogisticSigmoidGateArgs = {}): tf.SymbolicTensor {
  return new LogisticSigmoidGate(args).apply(x) as tf.SymbolicTensor;
}

export function gatesOf(model: tf.LayersModel): LogisticSigmoidGate[] {
  return model.layers.filter((l): l is LogisticSigmoidGate => l instanceof LogisticSigmoidGate);
}

/** Training-time sample counts of every gate, for checkpoints (restore with setGateSampleCounts). */
export function gateSampleCounts(model: tf.LayersModel): Record<string, number> {
  return Object.fromEntries(gatesOf(model).map((g) => [g.name, g.samplesDrawn]));
}

export function setGateSampleCounts(model: tf.LayersModel, counts: Record<string, number>): void {
  for (const g of gatesOf(model)) if (counts[g.name] !== undefined) g.samplesDrawn = counts[g.name];
}
