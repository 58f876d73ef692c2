import { ApplicationFailure, Context } from '@temporalio/activity';
import { DatasetError } from '../src/data/index.ts';
import { StaleAttemptError } from '../src/db/repositories/attempts.ts';
import { RegularizerSetupError, StructureError, UnknownDeviceError, UnsupportedLayerError } from '../src/morphnet/errors.ts';
import { InvalidUserModelError } from '../src/models/user-model-json.ts';
import { CorruptCheckpointError, InvalidTrainingSetupError, NonFiniteLossError } from '../src/train/index.ts';

/**
 * Which training errors no retry can fix. Training is deterministic, so a NaN loss or an impossible
 * structure would only happen again; those fail the run (non-retryable), never the sweep.
 */
export function nonRetryableTypeOf(error: unknown): string | undefined {
  if (error instanceof NonFiniteLossError) return 'NonFiniteLoss';
  if (error instanceof StructureError) return 'InvalidStructure';
  if (
    error instanceof InvalidTrainingSetupError ||
    error instanceof CorruptCheckpointError ||
    error instanceof DatasetError ||
    error instanceof UnsupportedLayerError ||
    error instanceof UnknownDeviceError ||
    error instanceof RegularizerSetupError ||
    error instanceof InvalidUserModelError
  ) {
    return 'InvalidInput';
  }
  return undefined;
}

/**
 * A stale attempt learned that a newer one owns its row: it stops, writing nothing more. Non-retryable:
 * retrying it could only lose again (and Temporal ignores an old attempt's outcome anyway).
 */
export function staleAttemptFailure(error: unknown): ApplicationFailure | undefined {
  if (!(error instanceof StaleAttemptError)) return undefined;
  return ApplicationFailure.nonRetryable(error.message, 'StaleAttempt');
}

export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Cancellation arrived: why? (the sweep was cancelled, or this worker is stopping). */
export function cancellationKind(): 'cancelled' | 'worker-shutdown' | 'other' | undefined {
  const context = Context.current();
  if (!context.cancellationSignal.aborted) return undefined;
  const details = context.cancellationDetails;
  if (details?.workerShutdown) return 'worker-shutdown';
  if (details?.cancelRequested) return 'cancelled';
  return 'other';
}

/** A stopping worker hands its run back: a plain retryable failure, so another worker resumes it. */
export function workerShutdownFailure(): ApplicationFailure {
  return ApplicationFailure.retryable('the worker shut down; the run resumes from its last checkpoint on another worker', 'WorkerShutdown');
}
