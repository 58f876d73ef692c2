'use client';

import { signOut } from '../hooks/dashboard-actions.ts';

/** In the header while signed in: drops the session cookie and shows the sign-in form again. */
export function SignOutButton() {
  return (
    <button
      type="button"
      className="link session"
      onClick={async () => {
        await signOut();
        window.location.assign('/');
      }}
    >
      Sign out
    </button>
  );
}
