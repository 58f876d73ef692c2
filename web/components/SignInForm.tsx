'use client';

import { signIn } from '../hooks/dashboard-actions.ts';
import { SignInPanel } from './SignInPanel.tsx';

/** The sign-in panel wired to POST /api/session, for server components to render. */
export function SignInForm() {
  return <SignInPanel onSignIn={signIn} />;
}
