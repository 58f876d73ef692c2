import { cookies } from 'next/headers';
import { getRunStatus, getSweepStatus } from '../../../src/db/repositories/queries.ts';
import { authPolicy } from './auth-policy.ts';
import { SESSION_COOKIE } from './session-cookie.ts';
import { getPrisma } from './services.ts';

/**
 * Whether a sweep or run page should answer 404, checked on the server so the status is real (a
 * client-side "not found" came with status 200). Only for callers the API would answer: a signed-out
 * browser sees the sign-in form and learns nothing about which ids exist. Null when the store cannot
 * be asked (the page then loads and reports what went wrong itself).
 */
export async function pageTargetExists(kind: 'sweep' | 'run', id: string): Promise<boolean | null> {
  if (authPolicy().required && !(await cookies()).has(SESSION_COOKIE)) return null;
  try {
    const status = kind === 'sweep' ? await getSweepStatus(getPrisma(), id) : await getRunStatus(getPrisma(), id);
    return status !== null;
  } catch {
    return null;
  }
}
