import type { PrismaClient } from '../src/db/client.ts';
import { appendCurvePoints, type CurvePointInput } from '../src/db/repositories/curves.ts';

/**
 * Curve points collected per step and written in batches: one INSERT per `batchSize` steps instead
 * of one per step. Flushed before every checkpoint, so a resumed run re-reports only steps after it
 * (and the (run, step) key drops any duplicates anyway).
 */
export class CurveBuffer {
  private pending: CurvePointInput[] = [];

  constructor(
    private readonly prisma: PrismaClient,
    private readonly runId: string,
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
      await appendCurvePoints(this.prisma, this.runId, batch);
    } catch (error) {
      // Keep the points for the next try; the (run, step) key makes a partial earlier write harmless.
      this.pending = [...batch, ...this.pending];
      throw error;
    }
  }
}
