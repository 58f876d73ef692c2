/** Download links for a run's learned structure; the session cookie authorizes them like any API call. */
export function StructureDownload({ runId, available }: { runId: string; available: boolean }) {
  if (!available) return null;
  const base = `/api/runs/${encodeURIComponent(runId)}/structure`;
  return (
    <p className="form-actions">
      <a className="button" href={base} download={`${runId}.structure.json`}>
        Download structure (JSON)
      </a>
      <a className="button" href={`${base}?format=morphnet`} download={`${runId}.morphnet.json`}>
        MorphNet format
      </a>
    </p>
  );
}
