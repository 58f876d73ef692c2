import { epochOrder } from '../data/index.ts';

/**
 * Which training examples make up the batch of a given step. Orders come from epochOrder(seed,
 * epoch), so the batch of step s is a pure function of (seed, s): a run resumed at step s sees the
 * same batches as one that never stopped. The last partial batch of an epoch is dropped, keeping
 * every batch the same size (batch-norm statistics and kernel shapes stay comparable).
 */
export class BatchSchedule {
  readonly stepsPerEpoch: number;
  private cachedEpoch = -1;
  private cachedOrder: Uint32Array = new Uint32Array(0);

  constructor(
    private readonly trainCount: number,
    private readonly batchSize: number,
    private readonly seed: number,
  ) {
    this.stepsPerEpoch = Math.floor(trainCount / batchSize);
  }

  /** Steps 1..totalSteps; epoch numbering starts at 0. */
  epochOf(step: number): number {
    return Math.floor((step - 1) / this.stepsPerEpoch);
  }

  indicesFor(step: number): Uint32Array {
    const epoch = this.epochOf(step);
    if (epoch !== this.cachedEpoch) {
      this.cachedOrder = epochOrder(this.trainCount, this.seed, epoch);
      this.cachedEpoch = epoch;
    }
    const start = ((step - 1) % this.stepsPerEpoch) * this.batchSize;
    return this.cachedOrder.subarray(start, start + this.batchSize);
  }
}
