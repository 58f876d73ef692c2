import type { Metadata } from 'next';
import { CompareView } from './compare-view.tsx';

export const metadata: Metadata = { title: 'Compare runs' };

export default async function ComparePage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { runs } = await props.searchParams;
  const runIds = (Array.isArray(runs) ? runs.join(',') : (runs ?? '')).split(',').filter((id) => id !== '');
  return <CompareView runIds={[...new Set(runIds)].slice(0, 3)} />;
}
