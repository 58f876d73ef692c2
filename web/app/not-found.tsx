import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not found' };

/** Unknown URLs, and sweeps or runs that do not exist: a 404 with the way back. */
export default function NotFound() {
  return (
    <section className="panel" data-testid="not-found">
      <h1>Not found</h1>
      <p>There is nothing at this address: the sweep or run may have been deleted, or the link is mistyped.</p>
      <p>
        <Link href="/">See all sweeps</Link> or <Link href="/sweeps/new">start a new sweep</Link>.
      </p>
    </section>
  );
}
