import { cookies } from 'next/headers';
import { preload } from 'react-dom';
import { SESSION_COOKIE } from '../../../lib/server/session-cookie.ts';
import { SweepView } from './sweep-view.tsx';

export default async function SweepPage(props: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await props.params;
  const { overlay } = await props.searchParams;
  const sweepId = decodeURIComponent(id);
  const overlayIds = (Array.isArray(overlay) ? overlay.join(',') : (overlay ?? ''))
    .split(',')
    .filter((overlayId) => overlayId !== '' && overlayId !== id);
  // The front is the page's biggest answer: the browser starts fetching it with the HTML, while the
  // scripts load, and the view's own request (same URL: the sweep's own axis) is served from that.
  // Only with a session, so a signed-out visit does not log a refused preload.
  if ((await cookies()).has(SESSION_COOKIE)) {
    preload(`/api/sweeps/${encodeURIComponent(sweepId)}/front`, { as: 'fetch', crossOrigin: 'anonymous' });
  }
  return <SweepView sweepId={sweepId} initialOverlayIds={overlayIds} />;
}
