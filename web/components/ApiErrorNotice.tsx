'use client';

import { isUnauthorized } from '../hooks/dashboardClient.ts';
import { SignInForm } from './SignInForm.tsx';

/** A failed load: a sign-in form when the session is missing or expired, otherwise what went wrong. */
export function ApiErrorNotice({ error, what, onRetry }: { error: Error; what: string; onRetry?: () => void }) {
  if (isUnauthorized(error)) return <SignInForm />;
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
