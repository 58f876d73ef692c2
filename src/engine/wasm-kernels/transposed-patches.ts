import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { byteOffsetOf, op, simdFunctions } from './simd-assembler.ts';
import type { SimdFunction } from './simd-assembler.ts';
import { heapView, release } from './toolkit.ts';

/**
 * im2col transposed, in one SIMD pass: the patch matrix of a chunk of output pixels as rows
 * (kh, kw, i) by columns (pixels), for the filter gradient's product. Gathering the patches
 * pixel-major and then transposing them took two passes over 9x the input (~27 ms a training step
 * of the reference CNN, on one thread); here each 4 pixels x 4 channels block is loaded from x,
 * transposed in registers, and stored into 4 rows.
 */

/** Whether transposedPatches takes this layer and chunk: channels and pixels in fours. */
export function transposedPatchesApply(info: backend_util.Conv2DInfo, chunkPixels: number): boolean {
  return info.inChannels % 4 === 0 && chunkPixels % 4 === 0;
}

interface TransposeLoop {
  /**
   * For each tap and each quad of pixels, with the pixels' source addresses read from `table`
   * (4 per quad, taps one after another): for each 4 channels, out rows (tap, c..c+3) at the
   * quad's columns = the 4 pixels' channels c..c+3, transposed.
   */
  gather(table: number, out: number, taps: number, quads: number, channelBytes: number, rowBytes: number, tapBytes: number): void;
}

/** i8x16.shuffle picking 32-bit lanes: indices 0-3 from a, 4-7 from b. */
const laneShuffle = (lanes: [number, number, number, number]) => [
  0xfd,
  0x0d,
  ...lanes.flatMap((lane) => [lane * 4, lane * 4 + 1, lane * 4 + 2, lane * 4 + 3]),
];

function gatherFunction(): SimdFunction {
  const [table, out, taps, quads, channelBytes, rowBytes, tapBytes] = [0, 1, 2, 3, 4, 5, 6];
  const [tap, quad, channelByte, tapBase, target] = [7, 8, 9, 10, 11];
  const address = (k: number) => 12 + k;
  const loaded = (k: number) => 16 + k;
  const half = (k: number) => 20 + k;
  const increment = (local: number, by: number[]) => [...op.localGet(local), ...by, ...op.i32Add, ...op.localSet(local)];
  const loopWhileBelow = (counter: number, limit: number[], body: number[]) => [
    ...op.i32Const(0),
    ...op.localSet(counter),
    ...op.block,
    ...op.loop,
    ...op.localGet(counter),
    ...limit,
    ...op.i32GeU,
    ...op.brIf(1),
    ...body,
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  const shuffled = (a: number, b: number, lanes: [number, number, number, number]) => [...op.localGet(a), ...op.localGet(b), ...laneShuffle(lanes)];
  // Row r of the 4x4 block (pixel k's channel c + r in column k), stored at target + r * rowBytes.
  const storeRow = (r: number, value: number[]) => [
    ...op.localGet(target),
    ...(r === 0 ? [] : [...op.localGet(rowBytes), ...op.i32Const(r), ...op.i32Mul, ...op.i32Add]),
    ...value,
    ...op.v128Store(),
  ];
  const channelBlock = [
    ...[0, 1, 2, 3].flatMap((k) => [...op.localGet(address(k)), ...op.localGet(channelByte), ...op.i32Add, ...op.v128Load(), ...op.localSet(loaded(k))]),
    ...shuffled(loaded(0), loaded(1), [0, 4, 1, 5]),
    ...op.localSet(half(0)),
    ...shuffled(loaded(0), loaded(1), [2, 6, 3, 7]),
    ...op.localSet(half(1)),
    ...shuffled(loaded(2), loaded(3), [0, 4, 1, 5]),
    ...op.localSet(half(2)),
    ...shuffled(loaded(2), loaded(3), [2, 6, 3, 7]),
    ...op.localSet(half(3)),
    ...storeRow(0, shuffled(half(0), half(2), [0, 1, 4, 5])),
    ...storeRow(1, shuffled(half(0), half(2), [2, 3, 6, 7])),
    ...storeRow(2, shuffled(half(1), half(3), [0, 1, 4, 5])),
    ...storeRow(3, shuffled(half(1), half(3), [2, 3, 6, 7])),
    ...increment(target, [...op.localGet(rowBytes), ...op.i32Const(4), ...op.i32Mul]),
    ...increment(channelByte, op.i32Const(16)),
  ];
  const pixelQuad = [
    ...[0, 1, 2, 3].flatMap((k) => [...op.localGet(table), ...op.i32Load(4 * k), ...op.localSet(address(k))]),
    ...increment(table, op.i32Const(16)),
    // target = tapBase + quad * 16
    ...op.localGet(tapBase),
    ...op.localGet(quad),
    ...op.i32Const(16),
    ...op.i32Mul,
    ...op.i32Add,
    ...op.localSet(target),
    ...loopWhileBelow(channelByte, op.localGet(channelBytes), channelBlock),
    ...increment(quad, op.i32Const(1)),
  ];
  const tapRows = [...loopWhileBelow(quad, op.localGet(quads), pixelQuad), ...increment(tapBase, op.localGet(tapBytes)), ...increment(tap, op.i32Const(1))];
  const code = [...op.localGet(out), ...op.localSet(tapBase), ...loopWhileBelow(tap, op.localGet(taps), tapRows)];
  return { name: 'gather', params: 7, i32Locals: 9, v128Locals: 8, code };
}

/**
 * The transposed patches of output pixels [firstPixel, firstPixel + chunkPixels) as
 * [1, 1, KH*KW*Cin, chunkPixels], rows in (kh, kw, i) order; zero outside x.
 */
export function transposedPatches(backend: BackendWasm, x: TensorInfo, info: backend_util.Conv2DInfo, firstPixel: number, chunkPixels: number): TensorInfo {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const taps = filterHeight * filterWidth;
  const out = backend.makeOutput([1, 1, taps * inChannels, chunkPixels], 'float32');
  const table = backend.makeOutput([taps * chunkPixels], 'int32');
  const zeroPixel = backend.makeOutput([inChannels], 'float32');
  heapView(backend, zeroPixel).fill(0);
  const pixelBytes = inChannels * 4;
  const [xAt, zeroAt] = [byteOffsetOf(backend, x.dataId), byteOffsetOf(backend, zeroPixel.dataId)];
  // After the allocations: growing wasm memory detaches earlier views.
  const addresses = backend.typedArrayFromHeap(table) as Int32Array;
  let entry = 0;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      let n = Math.floor(firstPixel / (outHeight * outWidth));
      let y = Math.floor(firstPixel / outWidth) % outHeight;
      let xo = firstPixel % outWidth;
      for (let q = 0; q < chunkPixels; q++) {
        const row = y * strideHeight + kh - info.padInfo.top;
        const col = xo * strideWidth + kw - info.padInfo.left;
        const inside = row >= 0 && row < inHeight && col >= 0 && col < inWidth;
        addresses[entry++] = inside ? xAt + ((n * inHeight + row) * inWidth + col) * pixelBytes : zeroAt;
        if (++xo === outWidth) {
          xo = 0;
          if (++y === outHeight) {
            y = 0;
            n++;
          }
        }
      }
    }
  }
  const rowBytes = chunkPixels * 4;
  simdFunctions<TransposeLoop>(backend, 'transposed-patches', () => [gatherFunction()]).gather(
    byteOffsetOf(backend, table.dataId),
    byteOffsetOf(backend, out.dataId),
    taps,
    chunkPixels / 4,
    pixelBytes,
    rowBytes,
    inChannels * rowBytes,
  );
  release(backend, table, zeroPixel);
  return out;
}
