import { Prisma, type PrismaClient } from '../client.ts';
import type { CostKind } from '../../sweep/config.ts';
import type { TargetSearchState } from '../../sweep/target-search.ts';
import { costColumnOf } from '../../sweep/orchestration.ts';
import type {
  BestPointSchema,
  Costs,
  CurvePoint,
  Retrain as RetrainView,
  RunCounts,
  RunEvent,
  SweepStatus,
} from '../../client/wire.ts';
import type { z } from 'zod';

/**
 * Read-side queries behind the HTTP API and the dashboard. They select only the columns a view needs
 * (the front of a 10,000-run sweep must not drag structure JSON or checkpoints along) and return plain
 * data shaped like the wire types, with dates still as Date.
 */

type BestPoint = z.infer<typeof BestPointSchema>;

/** Key of each cost axis inside Sweep.seedCost. */
const SEED_COST_KEY = { flops: 'flops', 'model-size': 'modelSize', latency: 'latencyNs' } as const satisfies Record<
  CostKind,
  string
>;

export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor: pass back the nextCursor of a previous page unchanged, or drop it to start over');
    this.name = 'InvalidCursorError';
  }
}

export interface SweepRow {
  id: string;
  name: string;
  status: SweepStatus;
  tags: string[];
  costAxis: CostKind;
  runs: RunCounts;
  best: BestPoint | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface SweepDetailRow extends SweepRow {
  config: Record<string, unknown>;
  seedCost: Costs | null;
  /** A target-cost sweep's rounds and outcome (src/sweep/target-search.ts); null for grid sweeps. */
  targetSearch: TargetSearchState | null;
  seedAccuracy: number | null;
  error: string | null;
}

export interface SweepPageRows {
  items: SweepRow[];
  nextCursor: string | null;
}

export interface SweepPageQuery {
  statuses?: SweepStatus[];
  tag?: string;
  limit: number;
  cursor?: string;
}

interface CursorPosition {
  createdAt: Date;
  id: string;
}

function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

function decodeCursor(cursor: string): CursorPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2 && typeof decoded[0] === 'string' && typeof decoded[1] === 'string') {
      const createdAt = new Date(decoded[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: decoded[1] };
    }
  } catch {
    // fall through: any undecodable cursor gets the same answer
  }
  throw new InvalidCursorError();
}

const EMPTY_COUNTS: RunCounts = { total: 0, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };

export async function countRunsBySweep(prisma: PrismaClient, sweepIds: string[]): Promise<Map<string, RunCounts>> {
  const counts = new Map<string, RunCounts>(sweepIds.map((id) => [id, { ...EMPTY_COUNTS }]));
  if (sweepIds.length === 0) return counts;
  const groups = await prisma.run.groupBy({
    by: ['sweepId', 'status'],
    where: { sweepId: { in: sweepIds } },
    _count: { _all: true },
  });
  for (const group of groups) {
    const sweepCounts = counts.get(group.sweepId)!;
    sweepCounts[group.status] += group._count._all;
    sweepCounts.total += group._count._all;
  }
  return counts;
}

async function bestPointsBySweep(
  prisma: PrismaClient,
  sweeps: Array<{ id: string; costAxis: CostKind }>,
): Promise<Map<string, BestPoint>> {
  const best = new Map<string, BestPoint>();
  if (sweeps.length === 0) return best;
  const rows = await prisma.$queryRaw<
    Array<{ sweepId: string; id: string; valAccuracy: number; costFlops: number | null; costModelSize: number | null; costLatencyNs: number | null }>
  >(Prisma.sql`
    SELECT DISTINCT ON ("sweepId") "sweepId", "id", "valAccuracy", "costFlops", "costModelSize", "costLatencyNs"
    FROM "Run"
    WHERE "sweepId" IN (${Prisma.join(sweeps.map((s) => s.id))})
      AND "status" = 'completed' AND "valAccuracy" IS NOT NULL
    ORDER BY "sweepId", "valAccuracy" DESC, "id"`);
  const axisBySweep = new Map(sweeps.map((s) => [s.id, s.costAxis]));
  for (const row of rows) {
    const column = costColumnOf(axisBySweep.get(row.sweepId)!);
    best.set(row.sweepId, { runId: row.id, accuracy: row.valAccuracy, cost: row[column] });
  }
  return best;
}

const SWEEP_SUMMARY_SELECT = {
  id: true,
  name: true,
  status: true,
  tags: true,
  costAxis: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
} as const;

export async function listSweepsPage(prisma: PrismaClient, query: SweepPageQuery): Promise<SweepPageRows> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const where: Prisma.SweepWhereInput = {
    ...(query.statuses ? { status: { in: query.statuses } } : {}),
    ...(query.tag ? { tags: { has: query.tag } } : {}),
    ...(after
      ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
      : {}),
  };
  // One extra row says whether another page exists without a count query.
  const rows = await prisma.sweep.findMany({
    where,
    select: SWEEP_SUMMARY_SELECT,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const sweeps = page.map((row) => ({ ...row, costAxis: row.costAxis as CostKind }));
  const [counts, best] = await Promise.all([
    countRunsBySweep(prisma, sweeps.map((s) => s.id)),
    bestPointsBySweep(prisma, sweeps),
  ]);
  const last = page[page.length - 1];
  return {
    items: sweeps.map((sweep) => ({ ...sweep, runs: counts.get(sweep.id)!, best: best.get(sweep.id) ?? null })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
}

function toCosts(value: unknown): Costs | null {
  if (value === null || typeof value !== 'object') return null;
  const record = value as Record<string, unknown>;
  const numberOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return { flops: numberOrNull(record.flops), modelSize: numberOrNull(record.modelSize), latencyNs: numberOrNull(record.latencyNs) };
}

export async function getSweepDetail(prisma: PrismaClient, sweepId: string): Promise<SweepDetailRow | null> {
  const sweep = await prisma.sweep.findUnique({
    where: { id: sweepId },
    select: { ...SWEEP_SUMMARY_SELECT, config: true, seedCost: true, seedAccuracy: true, error: true, targetSearch: true },
  });
  if (!sweep) return null;
  const costAxis = sweep.costAxis as CostKind;
  const [counts, best] = await Promise.all([
    countRunsBySweep(prisma, [sweep.id]),
    bestPointsBySweep(prisma, [{ id: sweep.id, costAxis }]),
  ]);
  return {
    ...sweep,
    costAxis,
    config: sweep.config as Record<string, unknown>,
    seedCost: toCosts(sweep.seedCost),
    targetSearch: (sweep.targetSearch ?? null) as SweepDetailRow['targetSearch'],
    runs: counts.get(sweep.id)!,
    best: best.get(sweep.id) ?? null,
  };
}

export async function getSweepCostAxis(prisma: PrismaClient, sweepId: string): Promise<CostKind | null> {
  const sweep = await prisma.sweep.findUnique({ where: { id: sweepId }, select: { costAxis: true } });
  return sweep ? (sweep.costAxis as CostKind) : null;
}

export async function getSweepStatus(prisma: PrismaClient, sweepId: string): Promise<SweepStatus | null> {
  const sweep = await prisma.sweep.findUnique({ where: { id: sweepId }, select: { status: true } });
  return sweep?.status ?? null;
}

/**
 * What a sweep's front depends on, in one cheap query: the sweep row, its completed runs and its
 * retrains each reduced to (count, latest update). Equal fingerprints mean an equal front, so a cached
 * one (or the caller's own copy, by ETag) can be served without reading the 10,000 rows again.
 * Only completed runs count: runs in training update every step without touching the front, and a
 * run that leaves or enters "completed" changes the count or the latest update. The index on
 * Run(sweepId, status, updatedAt) makes the run part an index-only scan. Null for an unknown sweep.
 */
export async function getFrontFingerprint(
  prisma: PrismaClient,
  sweepId: string,
): Promise<{ costAxis: CostKind; fingerprint: string } | null> {
  const rows = await prisma.$queryRaw<Array<{ costAxis: string; fingerprint: string }>>(Prisma.sql`
    SELECT s."costAxis",
      concat_ws('/', s."updatedAt",
        (SELECT concat_ws('/', count(*), max(u."updatedAt")) FROM "Run" u WHERE u."sweepId" = s."id" AND u."status" = 'completed'),
        (SELECT concat_ws('/', count(*), max(r."updatedAt")) FROM "Retrain" r JOIN "Run" u ON u."id" = r."runId" WHERE u."sweepId" = s."id")
      ) AS "fingerprint"
    FROM "Sweep" s WHERE s."id" = ${sweepId}`);
  const row = rows[0];
  return row ? { costAxis: row.costAxis as CostKind, fingerprint: row.fingerprint } : null;
}

export interface FrontRunPoint {
  runId: string;
  strength: number;
  threshold: number;
  seed: number;
  cost: number;
  accuracy: number;
}

export interface RetrainedFrontPoint {
  retrainId: string;
  runId: string;
  widthMultiplier: number | null;
  targetCost: number | null;
  cost: number;
  accuracy: number;
}

export interface FrontData {
  seedNetwork: { cost: number; accuracy: number | null } | null;
  points: FrontRunPoint[];
  retrained: RetrainedFrontPoint[];
}

/** Completed runs with a cost on `cost` and an accuracy, plus the seed and retrained points; null for an unknown sweep. */
export async function getFrontData(prisma: PrismaClient, sweepId: string, cost: CostKind): Promise<FrontData | null> {
  const column = Prisma.raw(`"${costColumnOf(cost)}"`);
  const [sweep, runPointsJson, retrained] = await Promise.all([
    prisma.sweep.findUnique({ where: { id: sweepId }, select: { seedCost: true, seedAccuracy: true } }),
    // One JSON array built by PostgreSQL: at 10,000 rows, mapping 60,000 cells one by one (even for a
    // raw query) costs three times as much as parsing one text value.
    prisma.$queryRaw<Array<{ points: string }>>(Prisma.sql`
      SELECT coalesce(json_agg(json_build_array("id", "strength", "threshold", "seed", ${column}, "valAccuracy")), '[]')::text AS "points"
      FROM "Run"
      WHERE "sweepId" = ${sweepId} AND "status" = 'completed' AND ${column} IS NOT NULL AND "valAccuracy" IS NOT NULL`),
    prisma.$queryRaw<RetrainedFrontPoint[]>(Prisma.sql`
      SELECT r."id" AS "retrainId", r."runId", r."widthMultiplier", r."targetCost", r.${column} AS "cost", r."valAccuracy" AS "accuracy"
      FROM "Retrain" r JOIN "Run" u ON u."id" = r."runId"
      WHERE u."sweepId" = ${sweepId} AND r."status" = 'completed' AND r.${column} IS NOT NULL AND r."valAccuracy" IS NOT NULL
        -- Evidence arms (uniform baselines among them) are drawn as arms with intervals, not as retrained points.
        AND r."evidenceId" IS NULL
      ORDER BY r."createdAt"`),
  ]);
  if (!sweep) return null;
  const seedCost = toCosts(sweep.seedCost)?.[SEED_COST_KEY[cost]] ?? null;
  const rows = JSON.parse(runPointsJson[0]?.points ?? '[]') as Array<[string, number, number, number, number, number]>;
  return {
    seedNetwork: seedCost === null ? null : { cost: seedCost, accuracy: sweep.seedAccuracy },
    points: rows.map(([runId, strength, threshold, seed, pointCost, accuracy]) => ({ runId, strength, threshold, seed, cost: pointCost, accuracy })),
    retrained,
  };
}

const RETRAIN_SELECT = {
  id: true,
  runId: true,
  status: true,
  widthMultiplier: true,
  targetCost: true,
  costAxis: true,
  step: true,
  totalSteps: true,
  costFlops: true,
  costModelSize: true,
  costLatencyNs: true,
  valAccuracy: true,
  testAccuracy: true,
  error: true,
  engine: true,
  createdAt: true,
  finishedAt: true,
  run: { select: { sweepId: true } },
} as const;

type RetrainRecord = Prisma.RetrainGetPayload<{ select: typeof RETRAIN_SELECT }>;

export type RetrainRow = Omit<RetrainView, 'createdAt' | 'finishedAt'> & { createdAt: Date; finishedAt: Date | null };

function toRetrainRow(record: RetrainRecord): RetrainRow {
  return {
    id: record.id,
    runId: record.runId,
    sweepId: record.run.sweepId,
    status: record.status,
    widthMultiplier: record.widthMultiplier,
    targetCost: record.targetCost,
    costAxis: record.costAxis as CostKind,
    step: record.step,
    totalSteps: record.totalSteps,
    costs: { flops: record.costFlops, modelSize: record.costModelSize, latencyNs: record.costLatencyNs },
    valAccuracy: record.valAccuracy,
    testAccuracy: record.testAccuracy,
    error: record.error,
    engine: record.engine,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
  };
}

export async function getRetrain(prisma: PrismaClient, retrainId: string): Promise<RetrainRow | null> {
  const record = await prisma.retrain.findUnique({ where: { id: retrainId }, select: RETRAIN_SELECT });
  return record ? toRetrainRow(record) : null;
}

export interface RunDetailRow {
  id: string;
  sweepId: string;
  strength: number;
  threshold: number;
  seed: number;
  status: RunEvent['status'];
  attempt: number;
  step: number;
  totalSteps: number;
  costs: Costs;
  valAccuracy: number | null;
  testAccuracy: number | null;
  error: string | null;
  /** The engine of the attempt that trained it (src/engine engineLabel); null before it started. */
  engine: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  curve: CurvePoint[];
  /** StructureJson (src/morphnet) once the run has finished, else null. */
  structure: unknown;
  /** Costs of the narrowest rebuild of the structure; null before it finished (or for runs older than the column). */
  narrowestCost: Costs | null;
  retrains: RetrainRow[];
}

export async function getRunDetail(prisma: PrismaClient, runId: string): Promise<RunDetailRow | null> {
  const run = await prisma.run.findUnique({
    where: { id: runId },
    select: {
      id: true,
      sweepId: true,
      strength: true,
      threshold: true,
      seed: true,
      status: true,
      attempt: true,
      step: true,
      totalSteps: true,
      costFlops: true,
      costModelSize: true,
      costLatencyNs: true,
      valAccuracy: true,
      testAccuracy: true,
      error: true,
      engine: true,
      structure: true,
      narrowestCost: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      curve: {
        select: { step: true, taskLoss: true, regLoss: true, cost: true, valAccuracy: true },
        orderBy: { step: 'asc' },
      },
      // Evidence arms are shown with their evidence run, not as retrains of the structure.
      retrains: { select: RETRAIN_SELECT, where: { evidenceId: null }, orderBy: { createdAt: 'asc' } },
    },
  });
  if (!run) return null;
  const { costFlops, costModelSize, costLatencyNs, retrains, narrowestCost, ...rest } = run;
  return {
    ...rest,
    narrowestCost: (narrowestCost as Costs | null) ?? null,
    costs: { flops: costFlops, modelSize: costModelSize, latencyNs: costLatencyNs },
    retrains: retrains.map(toRetrainRow),
  };
}

export async function getRunStructure(
  prisma: PrismaClient,
  runId: string,
): Promise<{ status: RunEvent['status']; structure: unknown } | null> {
  return prisma.run.findUnique({ where: { id: runId }, select: { status: true, structure: true } });
}

/** What a page's tab title names: the sweep's name, and for a run its label's fields. Null when absent. */
export async function getPageTitleFacts(
  prisma: PrismaClient,
  kind: 'sweep' | 'run',
  id: string,
): Promise<{ sweepName: string; run?: { strength: number; threshold: number; seed: number } } | null> {
  if (kind === 'sweep') {
    const sweep = await prisma.sweep.findUnique({ where: { id }, select: { name: true } });
    return sweep ? { sweepName: sweep.name } : null;
  }
  const run = await prisma.run.findUnique({ where: { id }, select: { strength: true, threshold: true, seed: true, sweep: { select: { name: true } } } });
  return run ? { sweepName: run.sweep.name, run: { strength: run.strength, threshold: run.threshold, seed: run.seed } } : null;
}

export async function getRunStatus(prisma: PrismaClient, runId: string): Promise<RunEvent['status'] | null> {
  const run = await prisma.run.findUnique({ where: { id: runId }, select: { status: true } });
  return run?.status ?? null;
}

/**
 * Runs of a sweep touched at or after `since`, oldest change first, for the progress stream. Inclusive,
 * because timestamps have millisecond precision: the caller drops changes it has already sent.
 */
export async function listRunsChangedSince(
  prisma: PrismaClient,
  sweepId: string,
  since: Date,
): Promise<Array<RunEvent & { updatedAt: Date }>> {
  const runs = await prisma.run.findMany({
    where: { sweepId, updatedAt: { gte: since } },
    select: {
      id: true,
      status: true,
      step: true,
      totalSteps: true,
      strength: true,
      threshold: true,
      costFlops: true,
      costModelSize: true,
      costLatencyNs: true,
      valAccuracy: true,
      updatedAt: true,
    },
    orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
  });
  return runs.map((run) => ({
    runId: run.id,
    status: run.status,
    step: run.step,
    totalSteps: run.totalSteps,
    strength: run.strength,
    threshold: run.threshold,
    costs: { flops: run.costFlops, modelSize: run.costModelSize, latencyNs: run.costLatencyNs },
    valAccuracy: run.valAccuracy,
    updatedAt: run.updatedAt,
  }));
}
