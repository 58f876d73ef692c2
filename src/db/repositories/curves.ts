import type { PrismaClient } from '../client.ts';
import { StaleAttemptError } from './attempts.ts';

/** Curve points: (run, step) is the primary key; each point names the run attempt that wrote it. */

export interface CurvePointInput {
  step: number;
  taskLoss: number;
  regLoss: number;
  cost: number;
  valAccuracy: number | null;
}

/**
 * One INSERT for the whole batch, fenced: written only while `attempt` owns the running run (the row
 * is locked FOR SHARE, so an attempt taking over waits for this write), else StaleAttemptError. A
 * point the owner reports again replaces the stored one, so the curve is always the owner's.
 */
export async function appendCurvePoints(prisma: PrismaClient, runId: string, attempt: number, points: CurvePointInput[]): Promise<number> {
  if (points.length === 0) return 0;
  const [outcome] = await prisma.$queryRaw<Array<{ owned: bigint; written: bigint }>>`
    WITH owner AS (
      SELECT id FROM "Run" WHERE id = ${runId} AND attempt = ${attempt} AND status = 'running' FOR SHARE
    ), written AS (
      INSERT INTO "CurvePoint" ("runId", step, "taskLoss", "regLoss", cost, "valAccuracy", attempt)
      SELECT owner.id, p.step, p."taskLoss", p."regLoss", p.cost, p."valAccuracy", ${attempt}
      FROM owner, jsonb_to_recordset(${JSON.stringify(points)}::jsonb)
        AS p(step int, "taskLoss" float8, "regLoss" float8, cost float8, "valAccuracy" float8)
      ON CONFLICT ("runId", step) DO UPDATE SET "taskLoss" = EXCLUDED."taskLoss", "regLoss" = EXCLUDED."regLoss",
        cost = EXCLUDED.cost, "valAccuracy" = EXCLUDED."valAccuracy", attempt = EXCLUDED.attempt
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM owner) AS owned, (SELECT count(*) FROM written) AS written`;
  if (!outcome || outcome.owned === 0n) throw new StaleAttemptError(`run ${runId}`, attempt);
  return Number(outcome.written);
}

/**
 * An attempt resuming from the checkpoint at `step` forgets points recorded after it (by an attempt
 * that got further before it died): from there on the curve is this attempt's own.
 */
export async function dropCurveAfter(prisma: PrismaClient, runId: string, attempt: number, step: number): Promise<void> {
  const [outcome] = await prisma.$queryRaw<Array<{ owned: bigint }>>`
    WITH owner AS (
      SELECT id FROM "Run" WHERE id = ${runId} AND attempt = ${attempt} AND status = 'running' FOR SHARE
    ), dropped AS (
      DELETE FROM "CurvePoint" c USING owner WHERE c."runId" = owner.id AND c.step > ${step} RETURNING 1
    )
    SELECT (SELECT count(*) FROM owner) AS owned, (SELECT count(*) FROM dropped) AS dropped`;
  if (!outcome || outcome.owned === 0n) throw new StaleAttemptError(`run ${runId}`, attempt);
}

export async function curveOfRun(prisma: PrismaClient, runId: string) {
  return prisma.curvePoint.findMany({ where: { runId }, orderBy: { step: 'asc' } });
}
