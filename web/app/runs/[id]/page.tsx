import { notFound } from 'next/navigation';
import { pageTargetExists } from '../../../lib/server/page-exists.ts';
import { RunView } from './run-view.tsx';

export default async function RunPage(props: { params: Promise<{ id: string }> }) {
  const { id } = await props.params;
  const runId = decodeURIComponent(id);
  if ((await pageTargetExists('run', runId)) === false) notFound();
  return <RunView runId={runId} />;
}
