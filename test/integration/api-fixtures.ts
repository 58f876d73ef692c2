import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/db/client.ts';
import { parseSweepConfig, type SweepConfigInput } from '../../src/sweep/config.ts';
import { tinySweepConfig } from './sweep-harness.ts';

/** Shared set-up of the API tests (not a test file): rows written straight into the store. */

export function validSweepConfig(overrides: Partial<SweepConfigInput> = {}): SweepConfigInput {
  return tinySweepConfig({ name: 'api sweep', tags: ['api'], ...overrides });
}

export interface InsertedSweep {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  tags: string[];
  createdAt: Date;
}

export async function insertSweep(
  prisma: PrismaClient,
  options: { status?: InsertedSweep['status']; tags?: string[]; createdAt?: Date; seedCost?: object; seedAccuracy?: number } = {},
): Promise<InsertedSweep> {
  const tags = options.tags ?? ['api'];
  const config = parseSweepConfig(validSweepConfig({ tags }));
  const sweep = await prisma.sweep.create({
    data: {
      id: `sw-test-${randomBytes(6).toString('hex')}`,
      name: config.name,
      status: options.status ?? 'completed',
      tags,
      config: config as object,
      costAxis: config.regularizer.cost,
      seedCost: options.seedCost,
      seedAccuracy: options.seedAccuracy,
      createdAt: options.createdAt ?? new Date(),
    },
  });
  return { id: sweep.id, status: sweep.status, tags: sweep.tags, createdAt: sweep.createdAt };
}

export interface InsertedRunPoint {
  id: string;
  strength: number;
  threshold: number;
  costFlops: number;
  costModelSize: number;
  valAccuracy: number;
}

/** Completed runs with the given costs and accuracies; latency left unmeasured. */
export async function insertCompletedRuns(
  prisma: PrismaClient,
  sweepId: string,
  points: Array<{ costFlops: number; costModelSize: number; valAccuracy: number }>,
): Promise<InsertedRunPoint[]> {
  const rows = points.map((point, index) => ({
    id: `${sweepId}-run-${index}`,
    sweepId,
    strength: 10 ** -(index % 7),
    threshold: 0.01 * (1 + Math.floor(index / 7)),
    seed: 0,
    status: 'completed' as const,
    totalSteps: 8,
    step: 8,
    costFlops: point.costFlops,
    costModelSize: point.costModelSize,
    valAccuracy: point.valAccuracy,
    testAccuracy: point.valAccuracy - 0.01,
  }));
  for (let start = 0; start < rows.length; start += 5000) {
    await prisma.run.createMany({ data: rows.slice(start, start + 5000) });
  }
  return rows.map(({ id, strength, threshold, costFlops, costModelSize, valAccuracy }) => ({
    id,
    strength,
    threshold,
    costFlops,
    costModelSize,
    valAccuracy,
  }));
}

/** A structure JSON as src/morphnet exports it, for a run whose row we write ourselves. */
export function sampleStructure(): object {
  return {
    format: 'morphsweep-structure',
    version: 1,
    algorithm: 'gamma',
    cost: 'flops',
    costName: 'FLOPs',
    batchSize: 1,
    threshold: 0.01,
    strength: 1e-5,
    step: 8,
    proposedCost: 12345,
    layers: [
      { name: 'conv1', kind: 'conv', alive: 3, seedWidth: 8, fixed: false },
      { name: 'conv2', kind: 'conv', alive: 0, seedWidth: 16, fixed: false },
      { name: 'logits', kind: 'dense', alive: 3, seedWidth: 3, fixed: true },
    ],
    seedNetwork: { name: 'reference-cnn', inputShape: [8, 8, 1], numClasses: 3 },
  };
}

/** Brute force: a point is on the front when no other point is at least as good on both axes and better on one. */
export function bruteForceFront<T extends { cost: number; accuracy: number }>(points: T[]): Set<T> {
  return new Set(
    points.filter(
      (p) => !points.some((q) => q.cost <= p.cost && q.accuracy >= p.accuracy && (q.cost < p.cost || q.accuracy > p.accuracy)),
    ),
  );
}
