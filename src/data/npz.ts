import { inflateRawSync } from 'node:zlib';
import { DatasetError } from './errors.ts';

/**
 * A reader for NumPy's `.npz` (a zip of `.npy` files, what np.savez and np.savez_compressed write).
 *
 * Why our own: the format is two small, documented layouts (the zip central directory, and the .npy
 * header of NEP 1), Node ships the inflate it needs, and the npm readers either pull a zip library
 * several times this size or cover .npy alone. Only what NumPy writes is read: stored or deflated
 * entries, zip64 sizes (np.savez forces zip64 headers), little-endian or byte-sized dtypes, C order.
 */

export type NpyDtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'int64' | 'uint64' | 'float32' | 'float64' | 'bool';

export type NpyData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

export interface NpyArray {
  /** NumPy's descr, e.g. '<f4', '|u1' (kept for error messages). */
  descr: string;
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const DESCR_DTYPES: Record<string, NpyDtype> = {
  '|u1': 'uint8',
  '|i1': 'int8',
  '|b1': 'bool',
  '<u2': 'uint16',
  '<i2': 'int16',
  '<u4': 'uint32',
  '<i4': 'int32',
  '<u8': 'uint64',
  '<i8': 'int64',
  '<f4': 'float32',
  '<f8': 'float64',
};

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_EXTRA_ID = 0x0001;
const U32_MAX = 0xffffffff;

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

function fail(path: string, message: string): never {
  throw new DatasetError(`${path} is not a NumPy .npz file NumPy wrote (${message}); write it with np.savez or np.savez_compressed`);
}

/** The zip's entries from its central directory (the authoritative sizes; local headers may hold 0xffffffff). */
function centralDirectory(bytes: Buffer, path: string): ZipEntry[] {
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(path, 'no zip end-of-central-directory record');
  let entryCount = bytes.readUInt16LE(eocd + 10);
  let offset = bytes.readUInt32LE(eocd + 16);
  if ((offset === U32_MAX || entryCount === 0xffff) && eocd >= 20 && bytes.readUInt32LE(eocd - 20) === ZIP64_EOCD_LOCATOR_SIGNATURE) {
    const zip64Eocd = Number(bytes.readBigUInt64LE(eocd - 12));
    entryCount = Number(bytes.readBigUInt64LE(zip64Eocd + 32));
    offset = Number(bytes.readBigUInt64LE(zip64Eocd + 48));
  }
  const entries: ZipEntry[] = [];
  for (let index = 0; index < entryCount; index++) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== CENTRAL_SIGNATURE) fail(path, 'a broken central directory');
    const method = bytes.readUInt16LE(offset + 10);
    let compressedSize = bytes.readUInt32LE(offset + 20);
    let uncompressedSize = bytes.readUInt32LE(offset + 24);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    let localHeaderOffset = bytes.readUInt32LE(offset + 42);
    const name = bytes.toString('utf8', offset + 46, offset + 46 + nameLength);
    // Zip64: the extra field holds, in order, whichever of the three values overflowed.
    let extra = offset + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = bytes.readUInt16LE(extra);
      const size = bytes.readUInt16LE(extra + 2);
      if (id === ZIP64_EXTRA_ID) {
        let field = extra + 4;
        if (uncompressedSize === U32_MAX) (uncompressedSize = Number(bytes.readBigUInt64LE(field))), (field += 8);
        if (compressedSize === U32_MAX) (compressedSize = Number(bytes.readBigUInt64LE(field))), (field += 8);
        if (localHeaderOffset === U32_MAX) localHeaderOffset = Number(bytes.readBigUInt64LE(field));
      }
      extra += 4 + size;
    }
    entries.push({ name, method, compressedSize, uncompressedSize, localHeaderOffset });
    offset = extraEnd + commentLength;
  }
  return entries;
}

function entryBytes(bytes: Buffer, entry: ZipEntry, path: string): Buffer {
  const header = entry.localHeaderOffset;
  if (header + 30 > bytes.length || bytes.readUInt32LE(header) !== LOCAL_SIGNATURE) fail(path, `a broken local header for ${entry.name}`);
  const start = header + 30 + bytes.readUInt16LE(header + 26) + bytes.readUInt16LE(header + 28);
  const stored = bytes.subarray(start, start + entry.compressedSize);
  if (stored.length !== entry.compressedSize) fail(path, `${entry.name} is truncated`);
  if (entry.method === 0) return stored;
  if (entry.method === 8) {
    try {
      return inflateRawSync(stored);
    } catch (error) {
      fail(path, `${entry.name} does not inflate: ${(error as Error).message}`);
    }
  }
  fail(path, `${entry.name} uses zip compression method ${entry.method}; only stored and deflate are read`);
}

/** Parses one .npy file (format versions 1-3). */
export function parseNpy(bytes: Uint8Array, where: string): NpyArray {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 10 || buffer[0] !== 0x93 || buffer.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new DatasetError(`${where} is not a .npy array (no \\x93NUMPY magic)`);
  }
  const major = buffer[6];
  const headerLength = major === 1 ? buffer.readUInt16LE(8) : buffer.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buffer.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DatasetError(`${where}: unreadable .npy header ${JSON.stringify(header.trim())}`);
  }
  if (fortran === 'True') {
    throw new DatasetError(`${where} is stored in Fortran order; save np.ascontiguousarray(array) instead`);
  }
  const dtype = DESCR_DTYPES[descr];
  if (dtype === undefined) {
    throw new DatasetError(
      `${where} has dtype ${descr}, which is not read (object arrays, strings and big-endian data are not); ` +
        `convert it, e.g. array.astype(np.float32) or array.astype(np.int64)`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((product, size) => product * size, 1);
  const dataStart = headerStart + headerLength;
  const itemBytes = Number(descr.slice(2));
  if (buffer.length - dataStart < count * itemBytes) {
    throw new DatasetError(`${where} is truncated: shape (${shape.join(', ')}) needs ${count * itemBytes} bytes, the file holds ${buffer.length - dataStart}`);
  }
  // A copy, aligned for its typed array (the .npy data offset is 64-aligned, the zip entry is not).
  const raw = new Uint8Array(buffer.subarray(dataStart, dataStart + count * itemBytes)).buffer;
  return { descr, dtype, shape, data: typedArrayOf(dtype, raw) };
}

function typedArrayOf(dtype: NpyDtype, raw: ArrayBuffer): NpyData {
  switch (dtype) {
    case 'uint8':
    case 'bool':
      return new Uint8Array(raw);
    case 'int8':
      return new Int8Array(raw);
    case 'uint16':
      return new Uint16Array(raw);
    case 'int16':
      return new Int16Array(raw);
    case 'uint32':
      return new Uint32Array(raw);
    case 'int32':
      return new Int32Array(raw);
    case 'uint64':
      return new BigUint64Array(raw);
    case 'int64':
      return new BigInt64Array(raw);
    case 'float32':
      return new Float32Array(raw);
    case 'float64':
      return new Float64Array(raw);
  }
}

/** Every array of an .npz, by key (the entry name without `.npy`, as np.load names them). */
export function parseNpz(bytes: Buffer, path: string): Map<string, NpyArray> {
  const arrays = new Map<string, NpyArray>();
  for (const entry of centralDirectory(bytes, path)) {
    if (entry.name.endsWith('/')) continue;
    const key = entry.name.replace(/\.npy$/, '');
    arrays.set(key, parseNpy(entryBytes(bytes, entry, path), `${path}[${key}]`));
  }
  return arrays;
}
