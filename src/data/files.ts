import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DatasetError } from './errors.ts';

const gunzipAsync = promisify(gunzip);

/**
 * Reads a whole file, gunzipping it when it starts with the gzip magic bytes. The content decides,
 * not the name, so a renamed or already-decompressed file still loads.
 * `missingHint` says what to do when the file does not exist.
 */
export async function readDatasetFile(path: string, missingHint: string): Promise<Uint8Array> {
  let stored: Buffer;
  try {
    stored = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError(`dataset file ${path} not found. ${missingHint}`);
    throw new DatasetError(`cannot read dataset file ${path}: ${(error as Error).message}. ${missingHint}`);
  }
  if (stored.length < 2 || stored[0] !== 0x1f || stored[1] !== 0x8b) return toBytes(stored);
  try {
    return toBytes(await gunzipAsync(stored));
  } catch (error) {
    throw new DatasetError(
      `dataset file ${path} is not a valid gzip file (${(error as Error).message}); it is probably ` +
        `truncated or corrupt: download it again. ${missingHint}`,
    );
  }
}

function toBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Lists a dataset directory; a missing path or a plain file gets an error that says what to do. */
export async function listDatasetDirectory(dir: string, missingHint: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is a file, not a directory' : `cannot be listed (${(error as Error).message})`;
    throw new DatasetError(`dataset directory ${dir} ${problem}. ${missingHint}`);
  }
}
