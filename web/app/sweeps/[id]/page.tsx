import { cookies } from 'next/headers';
import { notFound } from 'next/navigation';
import { preload } from 'react-dom';
import type { Metadata } from 'next';
import { pageTarget, pageTargetMetadata } from '../../../lib/server/page-target.ts';
import { SESSION_COOKIE } from '../../../lib/server/session-cookie.ts';
import { SweepView } from './sweep-view.tsx';

export async function generateMetadata(props: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return pageTargetMetadata('sweep', decodeURIComponent((await props.params).id));
}

export default async function SweepPage(props: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await props.params;
  const { overlay } = await props.searchParams;
  const sweepId = decodeURIComponent(id);
  if ((await pageTarget('sweep', sweepId))?.exists === false) notFound();
  const overlayIds = (Array.isArray(overlay) ? overlay.join(',') : (overlay ?? ''))
    .split(',')
    .filter((overlayId) => overlayId !== '' && overlayId !== id);
  // The front (the page's biggest answer) and the sweep's details (the chart waits for its cost axis):
  // the browser starts fetching both with the HTML, while the scripts load, and the view's own
  // requests (same URLs) are served from those. Only with a session, so a signed-out visit does not
  // log refused preloads.
  if ((await cookies()).has(SESSION_COOKIE)) {
    const sweepPath = `/api/sweeps/${encodeURIComponent(sweepId)}`;
    for (const url of [`${sweepPath}/front`, sweepPath]) preload(url, { as: 'fetch', crossOrigin: 'anonymous' });
  }
  return <SweepView sweepId={sweepId} initialOverlayIds={overlayIds} />;
}
