import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from './errors.ts';
import { listDatasetDirectory, readDatasetFile } from './files.ts';
import type { RawDataset, RawSplit } from './types.ts';

export const CIFAR10_CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const SIDE = 32;
const CHANNELS = 3;
const PIXELS_PER_IMAGE = SIDE * SIDE * CHANNELS;
/** Each record: one label byte, then the red, green and blue 32x32 planes. */
const RECORD_BYTES = 1 + PIXELS_PER_IMAGE;
/** The directory name inside the official cifar-10-binary.tar.gz. */
const TARBALL_SUBDIR = 'cifar-10-batches-bin';
const MISSING_HINT =
  'Download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, extract it, and use ' +
  `cifar10-bin:<dir> with the directory holding data_batch_1.bin .. data_batch_5.bin and test_batch.bin.`;

/** Loads the CIFAR-10 binary version: data_batch_*.bin as train, test_batch.bin as test. */
export async function loadCifar10Bin(dir: string): Promise<RawDataset> {
  const { batchDir, entries } = await locateBatchDir(dir);
  const trainFiles = entries
    .filter((entry) => /^data_batch_\d+\.bin$/.test(entry))
    .sort((a, b) => batchNumber(a) - batchNumber(b))
    .map((entry) => join(batchDir, entry));
  if (trainFiles.length === 0) {
    throw new DatasetError(`dataset file ${join(batchDir, 'data_batch_1.bin')} not found (no data_batch_*.bin in ${batchDir}). ${MISSING_HINT}`);
  }
  const [train, test, classNames] = await Promise.all([
    readRecords(trainFiles),
    readRecords([join(batchDir, 'test_batch.bin')]),
    readClassNames(join(batchDir, 'batches.meta.txt')),
  ]);
  return { name: 'cifar10', inputShape: [SIDE, SIDE, CHANNELS], numClasses: 10, classNames, train, test };
}

/** Accepts the directory the tarball was extracted into as well as its cifar-10-batches-bin child. */
async function locateBatchDir(dir: string): Promise<{ batchDir: string; entries: string[] }> {
  const entries = await listDatasetDirectory(dir, MISSING_HINT);
  const hasBatches = entries.some((entry) => entry.endsWith('.bin'));
  if (hasBatches || !entries.includes(TARBALL_SUBDIR)) return { batchDir: dir, entries };
  const batchDir = join(dir, TARBALL_SUBDIR);
  return { batchDir, entries: await listDatasetDirectory(batchDir, MISSING_HINT) };
}

async function readRecords(paths: string[]): Promise<RawSplit> {
  const files = await Promise.all(paths.map((path) => readDatasetFile(path, MISSING_HINT)));
  let count = 0;
  files.forEach((bytes, i) => {
    if (bytes.length === 0 || bytes.length % RECORD_BYTES !== 0) {
      throw new DatasetError(
        `${paths[i]} is ${bytes.length} bytes, not a whole number of ${RECORD_BYTES}-byte CIFAR-10 records: ` +
          `it is truncated or not a CIFAR-10 binary batch. ${MISSING_HINT}`,
      );
    }
    count += bytes.length / RECORD_BYTES;
  });
  const pixels = new Uint8Array(count * PIXELS_PER_IMAGE);
  const labels = new Int32Array(count);
  let example = 0;
  files.forEach((bytes, i) => {
    for (let offset = 0; offset < bytes.length; offset += RECORD_BYTES, example++) {
      const label = bytes[offset];
      if (label >= CIFAR10_CLASS_NAMES.length) {
        throw new DatasetError(
          `${paths[i]} record ${offset / RECORD_BYTES} has label ${label}, CIFAR-10 has 10 classes: this is not a ` +
            `CIFAR-10 batch (CIFAR-100 uses another layout). ${MISSING_HINT}`,
        );
      }
      labels[example] = label;
      planarToInterleaved(bytes.subarray(offset + 1, offset + RECORD_BYTES), pixels.subarray(example * PIXELS_PER_IMAGE));
    }
  });
  return { pixels, labels, count };
}

/** CIFAR stores channel planes (CHW); the rest of the system uses NHWC. */
function planarToInterleaved(planes: Uint8Array, interleaved: Uint8Array): void {
  const planeSize = SIDE * SIDE;
  for (let pixel = 0; pixel < planeSize; pixel++) {
    interleaved[pixel * CHANNELS] = planes[pixel];
    interleaved[pixel * CHANNELS + 1] = planes[planeSize + pixel];
    interleaved[pixel * CHANNELS + 2] = planes[2 * planeSize + pixel];
  }
}

/** batches.meta.txt is optional; when present and sane it names the classes. */
async function readClassNames(path: string): Promise<string[]> {
  try {
    const names = (await readFile(path, 'utf8')).split('\n').map((line) => line.trim()).filter(Boolean);
    return names.length === CIFAR10_CLASS_NAMES.length ? names : CIFAR10_CLASS_NAMES;
  } catch {
    return CIFAR10_CLASS_NAMES;
  }
}

function batchNumber(fileName: string): number {
  return Number(/\d+/.exec(fileName)?.[0]);
}
