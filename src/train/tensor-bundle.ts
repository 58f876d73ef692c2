import { CorruptCheckpointError } from './errors.ts';

/**
 * A compact binary container for named float32/int32 arrays plus a JSON header, small enough to
 * keep checkpoints in Postgres. Layout: "MSTB", u32 version, u32 header length, header JSON (UTF-8),
 * zero padding to a multiple of 4, then each array's raw little-endian values in header order.
 */

export interface NamedArray {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  values: Float32Array | Int32Array;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

interface BundleHeader {
  meta: JsonValue;
  arrays: { name: string; dtype: NamedArray['dtype']; shape: number[] }[];
}

const MAGIC = [0x4d, 0x53, 0x54, 0x42]; // "MSTB"
const FORMAT_VERSION = 1;
const PREAMBLE_BYTES = 12;

// Typed arrays use the host's byte order; refusing big-endian hosts keeps the format portable.
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function elementCount(shape: number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

function alignTo4(byteCount: number): number {
  return (byteCount + 3) & ~3;
}

export function encodeTensorBundle(meta: JsonValue, arrays: NamedArray[]): Uint8Array {
  if (!hostIsLittleEndian) throw new Error('tensor bundles are written only on little-endian hosts');
  for (const array of arrays) {
    if (array.values.length !== elementCount(array.shape)) {
      throw new Error(
        `array "${array.name}" has ${array.values.length} values but shape [${array.shape}] needs ` +
          `${elementCount(array.shape)}`,
      );
    }
  }
  const header: BundleHeader = {
    meta,
    arrays: arrays.map(({ name, dtype, shape }) => ({ name, dtype, shape })),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataOffset = alignTo4(PREAMBLE_BYTES + headerBytes.length);
  const dataBytes = arrays.reduce((sum, array) => sum + array.values.byteLength, 0);
  const bytes = new Uint8Array(dataOffset + dataBytes);
  bytes.set(MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  bytes.set(headerBytes, PREAMBLE_BYTES);
  let offset = dataOffset;
  for (const array of arrays) {
    bytes.set(new Uint8Array(array.values.buffer, array.values.byteOffset, array.values.byteLength), offset);
    offset += array.values.byteLength;
  }
  return bytes;
}

export function decodeTensorBundle(bytes: Uint8Array): { meta: JsonValue; arrays: NamedArray[] } {
  if (!hostIsLittleEndian) throw new Error('tensor bundles are read only on little-endian hosts');
  const corrupt = (why: string) =>
    new CorruptCheckpointError(`not a readable tensor bundle (${bytes.length} bytes): ${why}`);
  if (bytes.length < PREAMBLE_BYTES || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw corrupt('missing the "MSTB" signature; the bytes were not written by serializeCheckpoint');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw corrupt(`format version ${version}, this code reads ${FORMAT_VERSION}`);
  const headerLength = view.getUint32(8, true);
  if (PREAMBLE_BYTES + headerLength > bytes.length) throw corrupt('header runs past the end (truncated?)');
  let header: BundleHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength)));
  } catch (error) {
    throw corrupt(`header is not JSON (${(error as Error).message})`);
  }
  let offset = alignTo4(PREAMBLE_BYTES + headerLength);
  const arrays = header.arrays.map(({ name, dtype, shape }) => {
    const byteLength = elementCount(shape) * 4;
    if (offset + byteLength > bytes.length) throw corrupt(`data of "${name}" runs past the end (truncated?)`);
    // Copied into a fresh, aligned buffer: a Buffer from the database may sit at any offset of a pool
    // (and Buffer.slice would not copy).
    const copy = new Uint8Array(bytes.subarray(offset, offset + byteLength)).buffer;
    offset += byteLength;
    const values = dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return { name, dtype, shape, values };
  });
  if (offset !== bytes.length) throw corrupt(`${bytes.length - offset} trailing bytes after the last array`);
  return { meta: header.meta, arrays };
}
