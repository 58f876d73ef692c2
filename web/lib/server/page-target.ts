import { cookies } from 'next/headers';
import { cache } from 'react';
import { getPageTitleFacts } from '../../../src/db/repositories/queries.ts';
import { runLabel } from '../../components/format.ts';
import { authPolicy } from './auth-policy.ts';
import { SESSION_COOKIE } from './session-cookie.ts';
import { getPrisma } from './services.ts';

export interface PageTarget {
  exists: boolean;
  /** The tab's title, in the HTML itself: a title set only by the client raced the metadata Next streams. */
  title: string | null;
}

/**
 * Whether a sweep or run page should answer 404, and its title, checked on the server so the status
 * is real (a client-side "not found" came with status 200). Only for callers the API would answer: a
 * signed-out browser sees the sign-in form and learns nothing about which ids exist. Null when the
 * store cannot be asked (the page then loads and reports what went wrong itself). Cached per request:
 * the page and its metadata ask once.
 */
export const pageTarget = cache(async (kind: 'sweep' | 'run', id: string): Promise<PageTarget | null> => {
  if (authPolicy().required && !(await cookies()).has(SESSION_COOKIE)) return null;
  try {
    const facts = await getPageTitleFacts(getPrisma(), kind, id);
    if (!facts) return { exists: false, title: null };
    const title = facts.run ? `Run ${runLabel(facts.run)} · ${facts.sweepName} · MorphSweep` : `${facts.sweepName} · sweep · MorphSweep`;
    return { exists: true, title };
  } catch {
    return null;
  }
});

/** The page's metadata: its title when known, else the layout's default. */
export async function pageTargetMetadata(kind: 'sweep' | 'run', id: string): Promise<{ title?: { absolute: string } }> {
  const target = await pageTarget(kind, id);
  return target?.title ? { title: { absolute: target.title } } : {};
}
