import { RunView } from './run-view.tsx';

export default async function RunPage(props: { params: Promise<{ id: string }> }) {
  const { id } = await props.params;
  return <RunView runId={decodeURIComponent(id)} />;
}
