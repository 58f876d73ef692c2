/**
 * Errors the training loop throws on purpose. Each names what went wrong and what to do, so an
 * activity can fail a run with the message as its reason.
 */

/** The losses at the step that went non-finite, so the reason shows which term blew up. */
export interface NonFiniteLossDetails {
  step: number;
  taskLoss: number;
  regLoss: number;
  weightDecayLoss: number;
  /** Variables whose gradient held NaN/Inf (a NaN can vanish from the loss, e.g. behind a ReLU). */
  nonFiniteGradients: string[];
}

/**
 * The loss or its gradient became NaN or infinite; the step's optimizer update was not applied.
 * Retrying the same run cannot help (training is deterministic), so callers must treat this as
 * non-retryable and fail the run, not the sweep.
 */
export class NonFiniteLossError extends Error {
  override readonly name = 'NonFiniteLossError';
  readonly step: number;

  constructor(readonly details: NonFiniteLossDetails) {
    const losses =
      `task loss ${details.taskLoss}, regularization loss ${details.regLoss}, ` +
      `weight decay loss ${details.weightDecayLoss}`;
    const what =
      details.nonFiniteGradients.length > 0
        ? `the gradient of ${details.nonFiniteGradients.join(', ')} became non-finite at step ${details.step} (${losses})`
        : `the loss became non-finite at step ${details.step} (${losses})`;
    super(
      `${what}; lower the learning rate or the regularization strength (or check the data for NaN/Inf) ` +
        'and start the run again',
    );
    this.step = details.step;
  }
}

/** Options, model or checkpoint do not fit together; the message lists every problem found. */
export class InvalidTrainingSetupError extends Error {
  override readonly name = 'InvalidTrainingSetupError';

  constructor(readonly problems: string[]) {
    super(
      `invalid training setup (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
  }
}

/** Bytes handed to deserializeCheckpoint are not a checkpoint this code wrote. */
export class CorruptCheckpointError extends Error {
  override readonly name = 'CorruptCheckpointError';
}
