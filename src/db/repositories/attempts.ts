/**
 * Fencing of training attempts. Temporal may run two attempts of one run or retrain at once: an
 * attempt whose heartbeat timed out (a long step, a partitioned worker) keeps training while the next
 * attempt starts elsewhere. The row's `attempt` column names its owner; every write of an attempt is
 * conditional on still owning the row, checked by the database in the same statement as the write.
 */

export class StaleAttemptError extends Error {
  override name = 'StaleAttemptError';
  constructor(
    readonly owner: string,
    readonly attempt: number,
  ) {
    super(
      `attempt ${attempt} of ${owner} no longer owns it: a newer attempt took over (or the row finished or was cancelled); ` +
        'this attempt stops without writing',
    );
  }
}
