import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { byteOffsetOf, op, simdFunctions } from './simd-assembler.ts';
import type { SimdFunction } from './simd-assembler.ts';
import { heapView, release } from './toolkit.ts';

/**
 * patches^T dy for short patches (a first layer's few input channels): sums over pixels p of
 * patches[p, t] * dy[p, o], as [T, C]. As an XNNPACK product this is a GEMM with 9 columns (16 of
 * them computed) that packs 100k-row operands: the reference CNN's first layer took 22 ms a step
 * at 2 threads for 58 MFLOP. One SIMD pass over dy does it with the T x C sums in L1.
 */

/** Pixels per float32 partial sum; the partials are added in float64. */
const pixelsPerChunk = 2048;

interface PatchProductLoop {
  /**
   * For each pixel from dy to dyEnd (channelBytes apart) with its T patch values: sums[c/4][t] += patch[t] * dy[c..c+3].
   * `sums` holds T*C floats laid out [C/4][T][4].
   */
  accumulate(dy: number, patches: number, sums: number, dyEnd: number, channelBytes: number): void;
}

/**
 * The loop for T taps, unrolled over them: each pixel's T patch values are splatted once into
 * locals; each 4-channel vector of dy then updates T accumulators at constant offsets.
 */
function accumulateFunction(taps: number): SimdFunction {
  const [dy, patches, sums, dyEnd, channelBytes] = [0, 1, 2, 3, 4];
  const [channelByte, sumsRow] = [5, 6];
  const dyVector = 7;
  const splat = (t: number) => 8 + t;
  const channelLoop = [
    ...op.i32Const(0),
    ...op.localSet(channelByte),
    ...op.block,
    ...op.loop,
    ...op.localGet(channelByte),
    ...op.localGet(channelBytes),
    ...op.i32GeU,
    ...op.brIf(1),
    ...op.localGet(dy),
    ...op.localGet(channelByte),
    ...op.i32Add,
    ...op.v128Load(),
    ...op.localSet(dyVector),
    // sumsRow = sums + (channelByte / 16) * T * 16
    ...op.localGet(sums),
    ...op.localGet(channelByte),
    ...op.i32Const(taps),
    ...op.i32Mul,
    ...op.i32Add,
    ...op.localSet(sumsRow),
    ...Array.from({ length: taps }, (_, t) => [
      ...op.localGet(sumsRow),
      ...op.localGet(sumsRow),
      ...op.v128Load(16 * t),
      ...op.localGet(splat(t)),
      ...op.localGet(dyVector),
      ...op.f32x4Mul,
      ...op.f32x4Add,
      ...op.v128Store(16 * t),
    ]).flat(),
    ...op.localGet(channelByte),
    ...op.i32Const(16),
    ...op.i32Add,
    ...op.localSet(channelByte),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  const pixelLoop = [
    ...op.block,
    ...op.loop,
    ...op.localGet(dy),
    ...op.localGet(dyEnd),
    ...op.i32GeU,
    ...op.brIf(1),
    ...Array.from({ length: taps }, (_, t) => [...op.localGet(patches), ...op.f32Load(4 * t), ...op.f32x4Splat, ...op.localSet(splat(t))]).flat(),
    ...channelLoop,
    ...op.localGet(dy),
    ...op.localGet(channelBytes),
    ...op.i32Add,
    ...op.localSet(dy),
    ...op.localGet(patches),
    ...op.i32Const(4 * taps),
    ...op.i32Add,
    ...op.localSet(patches),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  return { name: 'accumulate', params: 5, i32Locals: 2, v128Locals: 1 + taps, code: pixelLoop };
}

/** Whether shortPatchProducts takes dy with this many channels. */
export function shortPatchProductsApply(channels: number): boolean {
  return channels % 4 === 0;
}

/**
 * sum over pixels of patches[p, t] * dy[p, c], for patches [.., T] and dy [.., C] with the same
 * number of pixels and C a multiple of 4; returns [T, C] row-major in float64.
 */
export function shortPatchProducts(backend: BackendWasm, patches: TensorInfo, dy: TensorInfo): Float64Array {
  const taps = patches.shape[patches.shape.length - 1]!;
  const channels = dy.shape[dy.shape.length - 1]!;
  const pixels = dy.shape.reduce((a, b) => a * b, 1) / channels;
  const loop = simdFunctions<PatchProductLoop>(backend, `short-patch-products-${taps}`, () => [accumulateFunction(taps)]);
  const partial = backend.makeOutput([taps * channels], 'float32');
  const partialAt = byteOffsetOf(backend, partial.dataId);
  const [dyAt, patchesAt] = [byteOffsetOf(backend, dy.dataId), byteOffsetOf(backend, patches.dataId)];
  const totals = new Float64Array(taps * channels);
  const channelBytes = channels * 4;
  for (let firstPixel = 0; firstPixel < pixels; firstPixel += pixelsPerChunk) {
    const chunkPixels = Math.min(pixelsPerChunk, pixels - firstPixel);
    const sums = heapView(backend, partial);
    sums.fill(0);
    const dyStart = dyAt + firstPixel * channelBytes;
    loop.accumulate(dyStart, patchesAt + firstPixel * taps * 4, partialAt, dyStart + chunkPixels * channelBytes, channelBytes);
    // [C/4][T][4] -> [T][C]
    for (let c = 0; c < channels; c++) {
      const sumsBase = (c >> 2) * taps * 4 + (c & 3);
      for (let t = 0; t < taps; t++) totals[t * channels + c] += sums[sumsBase + t * 4]!;
    }
  }
  release(backend, partial);
  return totals;
}
