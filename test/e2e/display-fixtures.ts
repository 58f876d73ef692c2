import type { PrismaClient } from '../../src/db/client.ts';
import { parseStructure, STRUCTURE_FORMAT, STRUCTURE_VERSION, type StructureJson } from '../../src/morphnet/structure.ts';
import { parseSweepConfig, type SweepConfig } from '../../src/sweep/config.ts';
import { runIdFor } from '../../src/sweep/run-id.ts';

/**
 * Finished sweeps written straight into Postgres, for browser tests about display only (the flow
 * test makes its data through real sweeps). Costs and accuracies follow a simple rule so that the
 * test can predict which points are dominated without copying the Pareto code.
 */

/** The engine label every display run was "trained" on (src/engine engineLabel's format). */
export const DISPLAY_ENGINE = 'tfjs-node (tfjs 4.22.0, TensorFlow 2.21.0, CPU, 2 threads)';

export const SEED_COST = { flops: 4_000_000, modelSize: 93_000, latencyNs: 52_000 };
export const SEED_ACCURACY = 0.9;
export const SEED_WIDTHS = { conv1: 32, conv2: 64, conv3: 128 };

export interface SeededRun {
  id: string;
  strength: number;
  threshold: number;
  costFlops: number;
  valAccuracy: number;
  aliveFraction: number;
}

export interface SeededSweep {
  id: string;
  name: string;
  runs: SeededRun[];
}

function displayConfig(name: string, strengths: number[], thresholds: number[]): SweepConfig {
  return parseSweepConfig({
    name,
    tags: ['e2e'],
    dataset: 'synthetic:classes=3,size=8,channels=1,train=256,test=64,seed=1',
    network: { name: 'reference-cnn' },
    regularizer: { algorithm: 'gamma', cost: 'flops' },
    thresholds,
    strengths: { values: strengths },
    training: { steps: 40, batchSize: 16, evalEvery: 10, checkpointEvery: 20 },
  });
}

const NUM_CLASSES = 3;

/** Structure JSON as src/morphnet's exporter writes it (validated by its own schema). */
function structureFor(alive: Record<string, number>, meta: { strength: number; threshold: number; proposedCost: number }): StructureJson {
  return parseStructure({
    format: STRUCTURE_FORMAT,
    version: STRUCTURE_VERSION,
    algorithm: 'gamma',
    cost: 'flops',
    costName: 'FLOPs',
    batchSize: 1,
    threshold: meta.threshold,
    strength: meta.strength,
    step: 40,
    proposedCost: meta.proposedCost,
    layers: [
      ...Object.entries(SEED_WIDTHS).map(([name, seedWidth]) => ({ name, kind: 'conv', alive: alive[name], seedWidth, fixed: false })),
      { name: 'logits', kind: 'dense', alive: NUM_CLASSES, seedWidth: NUM_CLASSES, fixed: true },
    ],
    seedNetwork: { name: 'reference-cnn', inputShape: [8, 8, 1], numClasses: NUM_CLASSES },
  });
}

export async function seedFinishedSweep(
  prisma: PrismaClient,
  options: { id: string; name: string; strengths: number[]; thresholds: number[]; accuracyOffset: number },
): Promise<SeededSweep> {
  const { id, name, strengths, thresholds, accuracyOffset } = options;
  const config = displayConfig(name, strengths, thresholds);
  const finishedAt = new Date();
  await prisma.sweep.create({
    data: {
      id,
      name,
      status: 'completed',
      tags: config.tags,
      config: config as object,
      costAxis: 'flops',
      seedCost: SEED_COST,
      seedAccuracy: SEED_ACCURACY + accuracyOffset,
      startedAt: finishedAt,
      finishedAt,
    },
  });
  const runs: SeededRun[] = [];
  for (const [strengthIndex, strength] of strengths.entries()) {
    for (const [thresholdIndex, threshold] of thresholds.entries()) {
      // Stronger regularization and a higher threshold keep fewer channels; every second point of
      // the higher threshold is made clearly worse so the sweep has dominated points.
      const aliveFraction = Math.max(0.1, 1 - 0.13 * strengthIndex - 0.05 * thresholdIndex);
      const penalty = thresholdIndex === 1 && strengthIndex % 2 === 0 ? 0.12 : 0;
      const valAccuracy = Number((0.88 + accuracyOffset - 0.015 * strengthIndex ** 1.5 - penalty).toFixed(4));
      const alive = Object.fromEntries(Object.entries(SEED_WIDTHS).map(([layer, width]) => [layer, Math.max(1, Math.round(width * aliveFraction))]));
      const runId = runIdFor(id, { strength, threshold, seed: 0 });
      const costFlops = Math.round(SEED_COST.flops * aliveFraction ** 2);
      await prisma.run.create({
        data: {
          id: runId,
          sweepId: id,
          strength,
          threshold,
          seed: 0,
          status: 'completed',
          step: 40,
          totalSteps: 40,
          costFlops,
          costModelSize: Math.round(SEED_COST.modelSize * aliveFraction ** 2),
          costLatencyNs: Math.round(SEED_COST.latencyNs * aliveFraction),
          valAccuracy,
          testAccuracy: valAccuracy - 0.01,
          engine: DISPLAY_ENGINE,
          structure: structureFor(alive, { strength, threshold, proposedCost: costFlops }) as object,
          startedAt: finishedAt,
          finishedAt,
          curve: {
            create: Array.from({ length: 5 }, (_, i) => ({
              step: (i + 1) * 8,
              taskLoss: 1.1 - 0.15 * i,
              regLoss: 2.0 * (1 - 0.12 * i * (strengthIndex + 1) / strengths.length),
              cost: Math.round(SEED_COST.flops * (1 - ((1 - aliveFraction ** 2) * (i + 1)) / 5)),
              valAccuracy: i % 2 === 1 ? 0.5 + 0.08 * i : null,
            })),
          },
        },
      });
      runs.push({ id: runId, strength, threshold, costFlops, valAccuracy, aliveFraction });
    }
  }
  return { id, name, runs };
}

/** A finished retrain of `run`, scaled up by a width multiplier: more cost, more accuracy. */
export async function seedFinishedRetrain(prisma: PrismaClient, run: SeededRun, retrainId: string): Promise<void> {
  await prisma.retrain.create({
    data: {
      id: retrainId,
      runId: run.id,
      status: 'completed',
      widthMultiplier: 1.25,
      costAxis: 'flops',
      step: 40,
      totalSteps: 40,
      costFlops: Math.round(run.costFlops * 1.25 ** 2),
      costModelSize: 1000,
      costLatencyNs: 1000,
      valAccuracy: Math.min(0.99, run.valAccuracy + 0.03),
      testAccuracy: Math.min(0.99, run.valAccuracy + 0.02),
      finishedAt: new Date(),
    },
  });
}

export async function seedFailedSweep(prisma: PrismaClient, id: string, name: string): Promise<void> {
  const config = displayConfig(name, [1e-6], [0.01]);
  await prisma.sweep.create({
    data: { id, name, status: 'failed', tags: [], config: config as object, costAxis: 'flops', error: 'seed network cost could not be measured' },
  });
}

/**
 * A finished sweep of `runCount` runs with costs and accuracies from a fixed pseudo-random stream
 * (no curves or structures: only its front is looked at), for the chart's behaviour at scale.
 */
export async function seedLargeSweep(
  prisma: PrismaClient,
  options: { id: string; name: string; runCount: number },
): Promise<Array<{ id: string; costFlops: number; valAccuracy: number }>> {
  const { id, name, runCount } = options;
  const strengths = Array.from({ length: 50 }, (_, index) => 1e-9 * 10 ** (index / 25));
  const thresholds = [0.001, 0.01];
  const config = displayConfig(name, strengths, thresholds);
  const finishedAt = new Date();
  await prisma.sweep.create({
    data: { id, name, status: 'completed', tags: config.tags, config: config as object, costAxis: 'flops', seedCost: SEED_COST, seedAccuracy: SEED_ACCURACY, startedAt: finishedAt, finishedAt },
  });
  let state = 7;
  const random = () => (state = (state * 48271) % 2147483647) / 2147483647;
  const runs = Array.from({ length: runCount }, (_, index) => {
    const size = random();
    return {
      id: `${id}-run-${index}`,
      sweepId: id,
      strength: strengths[index % strengths.length],
      threshold: thresholds[Math.floor(index / strengths.length) % thresholds.length],
      seed: Math.floor(index / (strengths.length * thresholds.length)),
      status: 'completed' as const,
      step: 40,
      totalSteps: 40,
      costFlops: Math.round(SEED_COST.flops * (0.05 + 0.95 * size)),
      valAccuracy: Number((0.3 + 0.6 * size * random()).toFixed(4)),
      finishedAt,
    };
  });
  await prisma.run.createMany({ data: runs });
  return runs.map(({ id: runId, costFlops, valAccuracy }) => ({ id: runId, costFlops, valAccuracy }));
}

/**
 * The sweep the dashboard review found defects on, rebuilt: one strength, five thresholds, two runs
 * 1% apart in cost (14.7 and 14.9 MFLOPs, where the markers overlapped), a retrain at 7.45 MFLOPs
 * that beats the runs at 11.2 and 14.7 MFLOPs, and a long name that overflowed the chart.
 */
export const CLOSE_SWEEP = {
  id: 'sweep-display-close',
  name: 'fashion-mnist figs flops, one strength, five alive thresholds, close points and a long name',
  strength: 6.71e-9,
  seedCost: { flops: 18_542_000, modelSize: 412_000, latencyNs: 186_000 },
  seedAccuracy: 0.712,
  runs: [
    { threshold: 0.001, costFlops: 14_900_000, valAccuracy: 0.7 },
    { threshold: 0.002, costFlops: 14_700_000, valAccuracy: 0.699 },
    { threshold: 0.005, costFlops: 11_200_000, valAccuracy: 0.68 },
    { threshold: 0.01, costFlops: 7_000_000, valAccuracy: 0.65 },
    { threshold: 0.02, costFlops: 2_100_000, valAccuracy: 0.55 },
  ],
  retrain: { id: 'retrain-display-close', fromThreshold: 0.01, costFlops: 7_450_000, valAccuracy: 0.69, targetCost: 7_500_000, widthMultiplier: 1.0317 },
} as const;

export async function seedCloseSweep(prisma: PrismaClient, status: 'completed' | 'running' = 'completed'): Promise<Array<{ id: string; threshold: number; costFlops: number; valAccuracy: number }>> {
  const { id, name, strength, seedCost, seedAccuracy, runs, retrain } = CLOSE_SWEEP;
  const config = displayConfig(name, [strength], runs.map((run) => run.threshold));
  const finishedAt = new Date();
  await prisma.sweep.create({
    data: { id, name, status, tags: config.tags, config: config as object, costAxis: 'flops', seedCost, seedAccuracy, startedAt: finishedAt, finishedAt: status === 'completed' ? finishedAt : null },
  });
  const seeded = [];
  for (const run of runs) {
    const runId = runIdFor(id, { strength, threshold: run.threshold, seed: 0 });
    const fraction = Math.sqrt(run.costFlops / seedCost.flops);
    const alive = Object.fromEntries(Object.entries(SEED_WIDTHS).map(([layer, width]) => [layer, Math.max(1, Math.round(width * fraction))]));
    await prisma.run.create({
      data: {
        id: runId,
        sweepId: id,
        strength,
        threshold: run.threshold,
        seed: 0,
        status: 'completed',
        step: 40,
        totalSteps: 40,
        costFlops: run.costFlops,
        costModelSize: Math.round(seedCost.modelSize * fraction ** 2),
        costLatencyNs: Math.round(seedCost.latencyNs * fraction),
        valAccuracy: run.valAccuracy,
        testAccuracy: run.valAccuracy - 0.01,
        structure: structureFor(alive, { strength, threshold: run.threshold, proposedCost: run.costFlops }) as object,
        startedAt: finishedAt,
        finishedAt,
        curve: {
          create: Array.from({ length: 8 }, (_, i) => ({
            step: (i + 1) * 5,
            taskLoss: 1.2 - 0.1 * i + 0.05 * (i % 2),
            regLoss: 1.5 - 0.1 * i,
            cost: Math.round(seedCost.flops - ((seedCost.flops - run.costFlops) * (i + 1)) / 8),
            valAccuracy: i % 4 === 3 ? run.valAccuracy - 0.05 * (7 - i) / 4 : null,
          })),
        },
      },
    });
    seeded.push({ id: runId, threshold: run.threshold, costFlops: run.costFlops, valAccuracy: run.valAccuracy });
  }
  const source = seeded.find((run) => run.threshold === retrain.fromThreshold)!;
  await prisma.retrain.create({
    data: {
      id: retrain.id,
      runId: source.id,
      status: 'completed',
      widthMultiplier: retrain.widthMultiplier,
      targetCost: retrain.targetCost,
      costAxis: 'flops',
      step: 40,
      totalSteps: 40,
      costFlops: retrain.costFlops,
      costModelSize: 200_000,
      costLatencyNs: 120_000,
      valAccuracy: retrain.valAccuracy,
      testAccuracy: retrain.valAccuracy - 0.01,
      finishedAt,
    },
  });
  return seeded;
}
