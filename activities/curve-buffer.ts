import type { PrismaClient } from '../src/db/client.ts';
import { appendCurvePoints, type CurvePointInput } from '../src/db/repositories/curves.ts';

/**
 * Curve points collected per step and written in batches: one INSERT per `batchSize` steps instead
 * of one per step. Flushed before every checkpoint, so a resumed run re-reports only steps after it
 * (and drops any points an earlier attempt stored past the checkpoint it resumes from).
 */
export class CurveBuffer {
  private pending: CurvePointInput[] = [];

  constructor(
    private readonly prisma: PrismaClient,
    private readonly runId: string,
    /** The attempt writing: its points are refused (StaleAttemptError) once a newer one owns the run. */
    private readonly attempt: number,
    private readonly batchSize: number,
  ) {}

  async add(point: CurvePointInput): Promise<void> {
    this.pending.push(point);
    if (this.pending.length >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await appendCurvePoints(this.prisma, this.runId, this.attempt, batch);
    } catch (error) {
      // Keep the points for the next try; the INSERT is one statement, so nothing of it was written.
      this.pending = [...batch, ...this.pending];
      throw error;
    }
  }
}
