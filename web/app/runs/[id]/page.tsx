import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import { pageTarget, pageTargetMetadata } from '../../../lib/server/page-target.ts';
import { RunView } from './run-view.tsx';

export async function generateMetadata(props: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return pageTargetMetadata('run', decodeURIComponent((await props.params).id));
}

export default async function RunPage(props: { params: Promise<{ id: string }> }) {
  const { id } = await props.params;
  const runId = decodeURIComponent(id);
  if ((await pageTarget('run', runId))?.exists === false) notFound();
  return <RunView runId={runId} />;
}
