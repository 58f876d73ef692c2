import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadCifar10Bin } from './cifar10-bin.ts';
import { DatasetError } from './errors.ts';
import { DEFAULT_FASHION_MNIST_DIR, FASHION_MNIST_DIR_ENV, loadFashionMnist, resolveFashionMnistDir } from './fashion-mnist.ts';
import { loadIdxDirectory } from './idx-directory.ts';
import { loadNpzDataset } from './npz-dataset.ts';
import { canonicalSyntheticParams, generateSynthetic, parseSyntheticParams, SYNTHETIC_KEYS } from './synthetic.ts';
import type { RawDataset } from './types.ts';

/** A parsed spec: where the raw data comes from, and a key that is equal exactly when the data is. */
export interface DatasetSource {
  /** Canonical identity of the raw data (directories resolved, synthetic parameters in order). */
  sourceKey: string;
  loadRaw: () => Promise<RawDataset>;
  /** The directory the files are read from, for specs that read files. */
  directory?: string;
}

interface SpecKind {
  prefix: string;
  usage: string;
  parse: (argument: string | undefined, spec: string) => DatasetSource;
}

const SPEC_KINDS: SpecKind[] = [
  {
    prefix: 'fashion-mnist',
    usage:
      `fashion-mnist[:<dir>]     Fashion-MNIST IDX files (default ${DEFAULT_FASHION_MNIST_DIR}, ` +
      `from \`apt-get install dataset-fashion-mnist\`; ${FASHION_MNIST_DIR_ENV} overrides the directory)`,
    parse: (argument) => {
      const dir = resolve(resolveFashionMnistDir(argument));
      return { sourceKey: `fashion-mnist:${dir}`, loadRaw: () => loadFashionMnist(dir), directory: dir };
    },
  },
  {
    prefix: 'mnist-idx',
    usage: 'mnist-idx:<dir>           any MNIST-family IDX set (train-/t10k- images and labels, .gz or plain)',
    parse: (argument, spec) => {
      const dir = resolve(requireArgument(argument, spec, 'mnist-idx:/path/to/idx-files'));
      return {
        sourceKey: `mnist-idx:${dir}`,
        directory: dir,
        loadRaw: () =>
          loadIdxDirectory(dir, {
            name: 'mnist-idx',
            missingHint: `Point mnist-idx:<dir> at a directory with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally .gz).`,
          }),
      };
    },
  },
  {
    prefix: 'cifar10-bin',
    usage: 'cifar10-bin:<dir>         CIFAR-10 binary version (data_batch_*.bin, test_batch.bin)',
    parse: (argument, spec) => {
      const dir = resolve(requireArgument(argument, spec, 'cifar10-bin:/path/to/cifar-10-batches-bin'));
      return { sourceKey: `cifar10-bin:${dir}`, loadRaw: () => loadCifar10Bin(dir), directory: dir };
    },
  },
  {
    prefix: 'npz',
    usage: 'npz:<file.npz>            NumPy arrays x_train, y_train, x_test, y_test (keras.datasets layout; uint8 or float32 NHWC, integer labels)',
    parse: (argument, spec) => {
      const path = resolve(requireArgument(argument, spec, 'npz:/shared/data/my-data.npz', 'a file'));
      return { sourceKey: `npz:${path}`, loadRaw: () => loadNpzDataset(path) };
    },
  },
  {
    prefix: 'synthetic',
    usage: 'synthetic[:key=value,...] deterministic learnable gratings, e.g. synthetic:classes=3,size=8,channels=1,train=256,test=64,seed=1',
    parse: (argument, spec) => {
      const params = parseSyntheticParams(argument ?? '', spec);
      return { sourceKey: `synthetic:${canonicalSyntheticParams(params)}`, loadRaw: async () => generateSynthetic(params) };
    },
  },
];

/** Splits `kind[:argument]` at the first colon (directories may contain more) and hands it to its kind. */
export function parseDatasetSpec(spec: string): DatasetSource {
  const trimmed = spec.trim();
  const colon = trimmed.indexOf(':');
  const prefix = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const argument = colon < 0 ? undefined : trimmed.slice(colon + 1);
  const kind = SPEC_KINDS.find((candidate) => candidate.prefix === prefix);
  if (!kind) {
    throw new DatasetError(`unknown dataset spec "${spec}". Supported specs:\n${describeDatasetSpecs()}`);
  }
  return kind.parse(argument, spec);
}

/** One line per supported spec, for error messages and CLI help. */
export function describeDatasetSpecs(): string {
  return SPEC_KINDS.map((kind) => `  ${kind.usage}`).join('\n') + `\n      synthetic keys: ${SYNTHETIC_KEYS}`;
}

function requireArgument(argument: string | undefined, spec: string, example: string, what = 'a directory'): string {
  if (!argument) throw new DatasetError(`dataset spec "${spec}" needs ${what}, e.g. ${example}.`);
  return argument;
}

/**
 * What is wrong with a spec before anything starts, or null: an unknown kind, bad parameters, or a
 * directory that does not exist here. Cheap (no file is read), so a sweep request is refused at once
 * instead of failing after it started. Workers read the same path, so it must exist where they run.
 */
export async function datasetSpecProblem(spec: string): Promise<string | null> {
  let source: DatasetSource;
  try {
    source = parseDatasetSpec(spec);
  } catch (error) {
    if (error instanceof DatasetError) return error.message;
    throw error;
  }
  if (source.directory === undefined) return null;
  const found = await stat(source.directory).catch(() => null);
  if (!found) return `no directory ${source.directory}: check the path (workers read the dataset from the same path)`;
  if (!found.isDirectory()) return `${source.directory} is a file; give the directory that holds the dataset's files`;
  return null;
}
