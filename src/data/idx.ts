import { DatasetError } from './errors.ts';

/** An IDX array of unsigned bytes: its dimensions and a view of its payload. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const IDX_UNSIGNED_BYTE = 0x08;
const IDX_TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/**
 * Parses the IDX format (http://yann.lecun.com/exdb/mnist/): two zero bytes, a type code, the number
 * of dimensions, then each dimension as a big-endian uint32, then the payload. Only unsigned bytes
 * are accepted because every MNIST-family image and label file uses them.
 * `expectedRank` lists the ranks the caller accepts (labels: [1]; images: [3, 4]).
 */
export function parseIdx(bytes: Uint8Array, path: string, expectedRank: number[]): IdxArray {
  const redownload = 'Download the file again or point the spec at a directory with intact IDX files.';
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || !(bytes[2] in IDX_TYPE_NAMES)) {
    const found = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetError(
      `${path} is not an IDX file: bad magic number (first bytes ${found || 'none'}, expected 00 00 08 0N). ${redownload}`,
    );
  }
  if (bytes[2] !== IDX_UNSIGNED_BYTE) {
    throw new DatasetError(
      `${path} holds IDX ${IDX_TYPE_NAMES[bytes[2]]} values; only unsigned-byte IDX files (MNIST family) are supported.`,
    );
  }
  const rank = bytes[3];
  if (!expectedRank.includes(rank)) {
    throw new DatasetError(
      `${path} has ${rank} dimensions, expected ${expectedRank.join(' or ')}: is it a ` +
        `${expectedRank.includes(1) ? 'label' : 'image'} file? ${redownload}`,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DatasetError(`${path} is truncated: its header needs ${headerBytes} bytes, the file has ${bytes.length}. ${redownload}`);
  }
  const header = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const dims: number[] = [];
  for (let axis = 0; axis < rank; axis++) dims.push(header.getUint32(4 + 4 * axis, false));
  const payloadBytes = dims.reduce((product, size) => product * size, 1);
  const foundBytes = bytes.length - headerBytes;
  if (foundBytes < payloadBytes) {
    throw new DatasetError(
      `${path} is truncated: header says ${dims.join('x')} (${payloadBytes} bytes of data) but only ${foundBytes} follow. ${redownload}`,
    );
  }
  if (foundBytes > payloadBytes) {
    throw new DatasetError(
      `${path} has ${foundBytes - payloadBytes} bytes after the ${dims.join('x')} array its header describes; it is corrupt or not an IDX file. ${redownload}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}
