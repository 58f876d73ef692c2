/**
 * The dataset registry: turns a spec string (`fashion-mnist`, `mnist-idx:<dir>`, `cifar10-bin:<dir>`,
 * `synthetic:<key=value,...>`) into normalized train/validation/test splits, and hands out
 * deterministic epoch orders and tensor batches.
 *
 * Normalization: bytes are scaled to [0, 1], then standardized per channel with the mean and standard
 * deviation of the final train split (after the validation carve and limits); validation and test use
 * the same statistics, which the Dataset carries as `normalization`.
 */
import { optionsKey, resolveLoadOptions } from './options.ts';
import { channelStatistics, materializeSplit } from './normalize.ts';
import { parseDatasetSpec } from './spec.ts';
import { planSplits } from './splits.ts';
import type { Dataset, LoadOptions, RawDataset } from './types.ts';

export type { Dataset, LoadOptions, Normalization, Split } from './types.ts';
export { DatasetError } from './errors.ts';
export { datasetSpecProblem, describeDatasetSpecs } from './spec.ts';
export { epochOrder, gatherBatch } from './batches.ts';

// Workers train many runs on the same data in one process: parse each file set once, and build each
// (spec, options) view once. Promises are cached so concurrent callers share one load.
const rawBySource = new Map<string, Promise<RawDataset>>();
const datasetByKey = new Map<string, Promise<Dataset>>();

/**
 * Loads (or returns the cached) dataset for `spec`. The result is shared between callers: treat its
 * arrays as read-only. Bad specs, options and files reject with a DatasetError that says what to do.
 */
export function loadDataset(spec: string, options?: LoadOptions): Promise<Dataset> {
  let source: ReturnType<typeof parseDatasetSpec>;
  let resolved: ReturnType<typeof resolveLoadOptions>;
  try {
    source = parseDatasetSpec(spec);
    resolved = resolveLoadOptions(options, spec);
  } catch (error) {
    return Promise.reject(error);
  }
  const key = `${spec}\n${source.sourceKey}\n${optionsKey(resolved)}`;
  const cached = datasetByKey.get(key);
  if (cached) return cached;
  const loading = loadRawOnce(source.sourceKey, source.loadRaw).then((raw) => {
    const [height, width, channels] = raw.inputShape;
    const pixelsPerImage = height * width * channels;
    const indices = planSplits(raw, spec, resolved);
    const normalization = channelStatistics(raw.train, indices.train, pixelsPerImage, channels);
    const dataset: Dataset = {
      spec,
      name: raw.name,
      inputShape: raw.inputShape,
      numClasses: raw.numClasses,
      normalization,
      train: materializeSplit(raw.train, indices.train, pixelsPerImage, channels, normalization),
      validation: materializeSplit(raw.train, indices.validation, pixelsPerImage, channels, normalization),
      test: materializeSplit(raw.test, indices.test, pixelsPerImage, channels, normalization),
    };
    if (raw.classNames) dataset.classNames = raw.classNames;
    return dataset;
  });
  datasetByKey.set(key, loading);
  loading.catch(() => datasetByKey.delete(key)); // a fixed file can be retried in the same process
  return loading;
}

/**
 * Reads and checks the files of `spec` without building or caching splits: its image shape and class
 * count, for a process that only validates (the API server checking a sweep before it starts).
 */
export async function inspectDataset(spec: string): Promise<{ inputShape: [number, number, number]; numClasses: number }> {
  const raw = await parseDatasetSpec(spec).loadRaw();
  return { inputShape: raw.inputShape, numClasses: raw.numClasses };
}

/** Forgets every cached dataset, e.g. after the files on disk changed or to free memory. */
export function clearDatasetCache(): void {
  rawBySource.clear();
  datasetByKey.clear();
}

function loadRawOnce(sourceKey: string, loadRaw: () => Promise<RawDataset>): Promise<RawDataset> {
  const cached = rawBySource.get(sourceKey);
  if (cached) return cached;
  const loading = loadRaw();
  rawBySource.set(sourceKey, loading);
  loading.catch(() => rawBySource.delete(sourceKey));
  return loading;
}
