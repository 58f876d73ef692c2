import { completedRunsOfSweep } from '../../db/repositories/runs.ts';
import { getSweep } from '../../db/repositories/sweeps.ts';
import type { PrismaClient } from '../../db/client.ts';
import { type CostKind } from '../../sweep/config.ts';
import { costOf, paretoFront } from '../../sweep/pareto.ts';
import { aliveWidthsOf } from '../structure-widths.ts';
import { createOutput, formatNumber, formatTable } from '../output.ts';
import { openDatabase } from '../services.ts';

export interface FrontPointView {
  runId: string;
  strength: number;
  threshold: number;
  seed: number;
  cost: number;
  valAccuracy: number | null;
  testAccuracy: number | null;
  aliveWidths: Record<string, number>;
}

/** A sweep's Pareto front on one cost axis (the sweep's own unless given), cheapest first. */
export async function loadFront(prisma: PrismaClient, sweepId: string, cost?: CostKind): Promise<{ cost: CostKind; front: FrontPointView[]; dominatedCount: number }> {
  const sweep = await getSweep(prisma, sweepId);
  const axis = cost ?? (sweep.costAxis as CostKind);
  const runs = await completedRunsOfSweep(prisma, sweepId);
  const { front, dominated } = paretoFront(runs, { cost: axis });
  return {
    cost: axis,
    dominatedCount: dominated.length,
    front: front.map((run) => ({
      runId: run.id,
      strength: run.strength,
      threshold: run.threshold,
      seed: run.seed,
      cost: costOf(run, axis)!,
      valAccuracy: run.valAccuracy,
      testAccuracy: run.testAccuracy,
      aliveWidths: aliveWidthsOf(run.structure),
    })),
  };
}

export function formatFront(front: FrontPointView[], cost: CostKind): string {
  if (front.length === 0) return 'no completed runs yet';
  return formatTable(
    ['RUN', 'STRENGTH', 'THRESHOLD', `COST (${cost})`, 'VAL ACC', 'TEST ACC', 'ALIVE WIDTHS'],
    front.map((point) => [
      point.runId,
      formatNumber(point.strength),
      formatNumber(point.threshold),
      formatNumber(point.cost),
      formatNumber(point.valAccuracy),
      formatNumber(point.testAccuracy),
      Object.values(point.aliveWidths).join('-'),
    ]),
  );
}

export async function frontAction(sweepId: string, options: { cost?: CostKind; json?: boolean }): Promise<void> {
  const output = createOutput(Boolean(options.json));
  const database = await openDatabase();
  try {
    const { cost, front, dominatedCount } = await loadFront(database.prisma, sweepId, options.cost);
    output.result({ sweepId, cost, front, dominatedCount }, () => formatFront(front, cost));
  } finally {
    await database.stop();
  }}
