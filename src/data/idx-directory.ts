import { join } from 'node:path';
import { DatasetError } from './errors.ts';
import { listDatasetDirectory, readDatasetFile } from './files.ts';
import { parseIdx } from './idx.ts';
import type { RawDataset, RawSplit } from './types.ts';

export interface IdxDirectoryOptions {
  name: string;
  /** Known class count (labels are checked against it); when absent, the largest label + 1. */
  numClasses?: number;
  classNames?: string[];
  /** What to do when the directory or a file is missing, e.g. which package installs it. */
  missingHint: string;
}

/** File-name patterns of the MNIST family (MNIST, Fashion-MNIST, KMNIST, EMNIST's `emnist-<set>-train-...`). */
const IDX_FILE_ROLES = {
  trainImages: { pattern: /(^|[-_.])train[-_.]images[-_.]idx[34][-_.]ubyte(\.gz)?$/i, example: 'train-images-idx3-ubyte[.gz]' },
  trainLabels: { pattern: /(^|[-_.])train[-_.]labels[-_.]idx1[-_.]ubyte(\.gz)?$/i, example: 'train-labels-idx1-ubyte[.gz]' },
  testImages: { pattern: /(^|[-_.])(t10k|test)[-_.]images[-_.]idx[34][-_.]ubyte(\.gz)?$/i, example: 't10k-images-idx3-ubyte[.gz]' },
  testLabels: { pattern: /(^|[-_.])(t10k|test)[-_.]labels[-_.]idx1[-_.]ubyte(\.gz)?$/i, example: 't10k-labels-idx1-ubyte[.gz]' },
} as const;

type IdxFileRole = keyof typeof IDX_FILE_ROLES;

/** Loads the four IDX files (train/test images and labels) of one MNIST-family directory. */
export async function loadIdxDirectory(dir: string, options: IdxDirectoryOptions): Promise<RawDataset> {
  const paths = await findIdxFiles(dir, options.missingHint);
  const [train, test] = await Promise.all([
    loadIdxSplit(paths.trainImages, paths.trainLabels, options.missingHint),
    loadIdxSplit(paths.testImages, paths.testLabels, options.missingHint),
  ]);
  if (train.shape.join('x') !== test.shape.join('x')) {
    throw new DatasetError(
      `${paths.trainImages} holds ${train.shape.join('x')} images but ${paths.testImages} holds ` +
        `${test.shape.join('x')}: the directory mixes two datasets; keep one train/test set per directory.`,
    );
  }
  const largestLabel = Math.max(maxOf(train.split.labels), maxOf(test.split.labels));
  const numClasses = options.numClasses ?? largestLabel + 1;
  if (largestLabel >= numClasses) {
    const path = maxOf(train.split.labels) >= numClasses ? paths.trainLabels : paths.testLabels;
    throw new DatasetError(
      `${path} contains label ${largestLabel} but ${options.name} has ${numClasses} classes: ` +
        `the file belongs to another dataset or is corrupt. ${options.missingHint}`,
    );
  }
  return {
    name: options.name,
    inputShape: train.shape,
    numClasses,
    classNames: options.classNames,
    train: train.split,
    test: test.split,
  };
}

async function findIdxFiles(dir: string, missingHint: string): Promise<Record<IdxFileRole, string>> {
  const entries = await listDatasetDirectory(dir, missingHint);
  const found = {} as Record<IdxFileRole, string>;
  for (const role of Object.keys(IDX_FILE_ROLES) as IdxFileRole[]) {
    const { pattern, example } = IDX_FILE_ROLES[role];
    const matches = entries.filter((entry) => pattern.test(entry));
    // A decompressed copy next to its .gz is the same file; the plain one loads faster.
    const distinct = matches.filter((entry) => !(entry.endsWith('.gz') && matches.includes(entry.slice(0, -3))));
    if (distinct.length === 0) {
      throw new DatasetError(`dataset file ${join(dir, example)} not found (no file named like it in ${dir}). ${missingHint}`);
    }
    if (distinct.length > 1) {
      throw new DatasetError(
        `${dir} holds several files that could be ${example}: ${distinct.sort().join(', ')}. ` +
          `Put each train/test set in its own directory and point the spec at one.`,
      );
    }
    found[role] = join(dir, distinct[0]);
  }
  return found;
}

async function loadIdxSplit(
  imagesPath: string,
  labelsPath: string,
  missingHint: string,
): Promise<{ split: RawSplit; shape: [number, number, number] }> {
  const [imageBytes, labelBytes] = await Promise.all([
    readDatasetFile(imagesPath, missingHint),
    readDatasetFile(labelsPath, missingHint),
  ]);
  const images = parseIdx(imageBytes, imagesPath, [3, 4]);
  const labels = parseIdx(labelBytes, labelsPath, [1]);
  const [imageCount, height, width, channels = 1] = images.dims;
  const labelCount = labels.dims[0];
  if (imageCount !== labelCount) {
    throw new DatasetError(
      `${imagesPath} holds ${imageCount} images but ${labelsPath} holds ${labelCount} labels: ` +
        `the two files come from different sets or one is corrupt; download both again.`,
    );
  }
  return {
    split: { pixels: images.data, labels: Int32Array.from(labels.data), count: imageCount },
    shape: [height, width, channels],
  };
}

function maxOf(values: Int32Array): number {
  let largest = -1;
  for (let i = 0; i < values.length; i++) if (values[i] > largest) largest = values[i];
  return largest;
}
