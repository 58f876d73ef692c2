import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { authPolicy } from '../lib/server/auth-policy.ts';
import { SESSION_COOKIE } from '../lib/server/auth.ts';
import { SignInForm } from './SignInForm.tsx';

/**
 * Server-side: when the API needs a token and the browser has no session cookie yet, show the
 * sign-in form instead of a page whose every request would be refused. A cookie that turns out to be
 * revoked still gets a 401 from the API, which the pages answer with the same form.
 */
export async function SessionGate({ children }: { children: ReactNode }) {
  if (!authPolicy().required) return children;
  const hasSession = (await cookies()).has(SESSION_COOKIE);
  return hasSession ? children : <SignInForm />;
}
