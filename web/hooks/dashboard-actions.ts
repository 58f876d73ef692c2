'use client';

import type { ConfigProblem, SweepConfigInput } from '../../src/sweep/config.ts';
import type { FieldProblem } from '../../src/client/wire.ts';
import { MorphSweepApiError } from '../../src/client/index.ts';
import { dashboardClient, postSession } from './dashboardClient.ts';

/**
 * The dashboard's writes. Each answers an outcome the form can show instead of throwing, because a
 * rejected request is an expected answer, not a crash.
 */

type Failure = { ok: false; message: string };

function failureOf(error: unknown): Failure {
  return { ok: false, message: error instanceof Error ? error.message : String(error) };
}

/** A 422's field problems, wherever the API put them (`details.problems` or `details` itself). */
function problemsOf(error: MorphSweepApiError): ConfigProblem[] {
  const details = error.details as { problems?: FieldProblem[] } | FieldProblem[] | undefined;
  const list = Array.isArray(details) ? details : details?.problems;
  return Array.isArray(list) ? list.map(({ path, message }) => ({ path, message })) : [];
}

export async function createSweep(
  config: SweepConfigInput,
): Promise<{ ok: true; sweepId: string } | { ok: false; problems: ConfigProblem[]; message?: string }> {
  try {
    const { sweepId } = await dashboardClient.createSweep(config);
    return { ok: true, sweepId };
  } catch (error) {
    if (error instanceof MorphSweepApiError) {
      const problems = problemsOf(error);
      return { ok: false, problems, message: problems.length > 0 ? undefined : error.message };
    }
    return { ok: false, problems: [], message: failureOf(error).message };
  }
}

export async function cancelSweep(sweepId: string): Promise<{ ok: true } | Failure> {
  try {
    await dashboardClient.cancelSweep(sweepId);
    return { ok: true };
  } catch (error) {
    return failureOf(error);
  }
}

export async function startRetrain(
  runId: string,
  choice: { widthMultiplier?: number; targetCost?: number },
  idempotencyKey: string,
): Promise<{ ok: true; retrainId: string } | Failure> {
  try {
    const { retrainId } = await dashboardClient.retrain(runId, choice, { idempotencyKey });
    return { ok: true, retrainId };
  } catch (error) {
    return failureOf(error);
  }
}

export async function signIn(token: string): Promise<{ ok: true } | Failure> {
  try {
    await postSession(token);
    return { ok: true };
  } catch (error) {
    return failureOf(error);
  }
}

/** Ends the browser session: the server clears the http-only cookie this page cannot touch. */
export async function signOut(): Promise<void> {
  await fetch('/api/session', { method: 'DELETE' });
}

export async function startEvidence(runId: string, choice: { seeds: number; expandTo?: 'seed' }): Promise<{ ok: true; evidenceId: string } | Failure> {
  try {
    const { evidenceId } = await dashboardClient.startEvidence(runId, choice);
    return { ok: true, evidenceId };
  } catch (error) {
    return failureOf(error);
  }
}
