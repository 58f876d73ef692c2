'use client';

import Link from 'next/link';
import { MorphSweepApiError } from '../../src/client/index.ts';
import { isUnauthorized } from '../hooks/dashboardClient.ts';
import { SignInForm } from './SignInForm.tsx';

/** A failed load: a sign-in form when the session is missing or expired, a way back when the thing does not exist, otherwise what went wrong. */
export function ApiErrorNotice({ error, what, onRetry }: { error: Error; what: string; onRetry?: () => void }) {
  if (isUnauthorized(error)) return <SignInForm />;
  if (error instanceof MorphSweepApiError && error.status === 404) {
    return (
      <section className="panel" data-testid="not-found">
        <h1>Not found</h1>
        <p>There is no {what}: it may have been deleted, or the link is mistyped.</p>
        <p>
          <Link href="/">See all sweeps</Link>
        </p>
      </section>
    );
  }
  return (
    <div className="notice error" role="alert">
      <p>
        Could not load {what}: {error.message}
      </p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
