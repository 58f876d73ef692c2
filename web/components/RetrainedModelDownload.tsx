/**
 * Download links for a finished retrain's network as a TF.js Layers model: model.json and the
 * weights.bin its manifest names (keep both in one folder; tensorflowjs_converter turns them into
 * Keras). The session cookie authorizes them like any API call.
 */
export function RetrainedModelDownload({ retrainId }: { retrainId: string }) {
  const base = `/api/retrains/${encodeURIComponent(retrainId)}`;
  return (
    <span className="download-links" data-testid="retrained-model-download">
      <a href={`${base}/model.json`} download="model.json">
        model.json
      </a>{' '}
      <a href={`${base}/weights.bin`} download="weights.bin">
        weights.bin
      </a>
    </span>
  );
}
