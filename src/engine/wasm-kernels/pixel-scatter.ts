import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { op, simdFunctions } from './simd-assembler.ts';
import type { SimdFunction } from './simd-assembler.ts';

/**
 * Copies a block of pixels (rows of contiguous pixels of C channels) to pixels spaced apart in
 * another NHWC tensor, in one SIMD pass: interleaving a strided convolution's input-gradient
 * phases into dx this way replaced a stacking copy and two transposes (three passes, ~10 ms a
 * training step of the reference CNN).
 */

interface ScatterLoop {
  /**
   * For each of `rows` rows: copies `pixels` pixels of pixelBytes each, reading them one after
   * another from src and writing them dstPixelBytes apart from dst; then src advances by
   * srcRowBytes and dst by dstRowBytes from the row's start.
   */
  scatter(src: number, dst: number, rows: number, pixels: number, pixelBytes: number, srcRowBytes: number, dstPixelBytes: number, dstRowBytes: number): void;
}

function scatterFunction(): SimdFunction {
  const [src, dst, rows, pixels, pixelBytes, srcRowBytes, dstPixelBytes, dstRowBytes] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [row, pixel, byte, from, to] = [8, 9, 10, 11, 12];
  const increment = (local: number, by: number[]) => [...op.localGet(local), ...by, ...op.i32Add, ...op.localSet(local)];
  const loopWhileBelow = (counter: number, limit: number[], body: number[]) => [
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
  const at = (base: number) => [...op.localGet(base), ...op.localGet(byte), ...op.i32Add];
  // 16 bytes at a time while 16 remain, then 4 (pixel sizes are multiples of 4 bytes).
  const copyPixel = [
    ...op.i32Const(0),
    ...op.localSet(byte),
    ...loopWhileBelow(byte, op.localGet(pixelBytes), [
      ...op.block,
      ...op.localGet(byte),
      ...op.i32Const(16),
      ...op.i32Add,
      ...op.localGet(pixelBytes),
      ...op.i32GtU,
      ...op.brIf(0),
      ...at(to),
      ...at(from),
      ...op.v128Load(),
      ...op.v128Store(),
      ...increment(byte, op.i32Const(16)),
      ...op.br(1),
      ...op.end,
      ...at(to),
      ...at(from),
      ...op.f32Load(),
      ...op.f32Store(),
      ...increment(byte, op.i32Const(4)),
    ]),
  ];
  const copyRow = [
    ...op.localGet(src),
    ...op.localSet(from),
    ...op.localGet(dst),
    ...op.localSet(to),
    ...op.i32Const(0),
    ...op.localSet(pixel),
    ...loopWhileBelow(pixel, op.localGet(pixels), [
      ...copyPixel,
      ...increment(from, op.localGet(pixelBytes)),
      ...increment(to, op.localGet(dstPixelBytes)),
      ...increment(pixel, op.i32Const(1)),
    ]),
    ...increment(src, op.localGet(srcRowBytes)),
    ...increment(dst, op.localGet(dstRowBytes)),
    ...increment(row, op.i32Const(1)),
  ];
  return { name: 'scatter', params: 8, i32Locals: 5, v128Locals: 0, code: loopWhileBelow(row, op.localGet(rows), copyRow) };
}

/** The loop bound to the backend's memory; offsets are in bytes. */
export function pixelScatter(backend: BackendWasm): ScatterLoop {
  return simdFunctions<ScatterLoop>(backend, 'pixel-scatter', () => [scatterFunction()]);
}
