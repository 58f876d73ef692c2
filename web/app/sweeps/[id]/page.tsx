import { SweepView } from './sweep-view.tsx';

export default async function SweepPage(props: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await props.params;
  const { overlay } = await props.searchParams;
  const overlayIds = (Array.isArray(overlay) ? overlay.join(',') : (overlay ?? ''))
    .split(',')
    .filter((overlayId) => overlayId !== '' && overlayId !== id);
  return <SweepView sweepId={decodeURIComponent(id)} initialOverlayIds={overlayIds} />;
}
