import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SessionGate } from '../components/SessionGate.tsx';
import { SignOutButton } from '../components/SignOutButton.tsx';
import { authPolicy } from '../lib/server/auth-policy.ts';
import { SESSION_COOKIE } from '../lib/server/session-cookie.ts';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'MorphSweep', template: '%s · MorphSweep' },
  description: 'MorphNet structure-learning sweeps: launch, watch the Pareto front, retrain.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const signedIn = authPolicy().required && (await cookies()).has(SESSION_COOKIE);
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          {/* No viewport prefetch: on every page load it competed with the page's own data (the
              sweep page's front) for the server and the main thread; a hover still prefetches. */}
          <Link href="/" className="brand" prefetch={false}>
            MorphSweep
          </Link>
          <nav aria-label="Main">
            <Link href="/" prefetch={false}>
              Sweeps
            </Link>
            <Link href="/sweeps/new" prefetch={false}>
              New sweep
            </Link>
            <a href="/api/openapi.json">API</a>
          </nav>
          {signedIn && <SignOutButton />}
        </header>
        <main id="main">
          <SessionGate>{children}</SessionGate>
        </main>
      </body>
    </html>
  );
}
