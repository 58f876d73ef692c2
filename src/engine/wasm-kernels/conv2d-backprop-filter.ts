import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapView, release, runOriginal, writeFloat32 } from './toolkit.ts';

/**
 * Pixels per partial product. XNNPACK's GEMM does not block the reduction dimension, so one
 * product over all N*OH*OW pixels streams its packed operand from memory once per row block;
 * chunks of 2048+ pixels keep it in cache (measured ~30% faster for the reference CNN's layers).
 */
const minPixelsPerChunk = 2048;
/** Each chunk is its own XNNPACK operator; cap their number for layers with many pixels. */
const maxChunks = 16;

/**
 * Filter gradient of an NHWC convolution (missing from the wasm backend):
 * dW[kh, kw, i, o] = sum over pixels p = (n, y, x) of x[n, y*s + kh - pad, x*s + kw - pad, i] * dy[p, o],
 * i.e. the product of the transposed patch matrix [KH*KW*Cin, P] with dy viewed as [P, Cout],
 * summed over chunks of pixels. Each chunk's product runs as a 1x1 XNNPACK convolution (the only
 * threaded GEMM the backend exposes) whose output already has the filter's layout.
 * (One dilated convolution of x by dy, batch and channels swapped, also works but ran 2x slower.)
 */
function conv2dBackpropFilter(args: {
  inputs: { x?: TensorInfo; dy?: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x!;
  const dy = args.inputs.dy!;
  if (attrs.dataFormat === 'NCHW') {
    throw new Error('wasm Conv2DBackpropFilter supports dataFormat NHWC only; build the model channels-last.');
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const patchRows = info.filterHeight * info.filterWidth * info.inChannels;
  const sums = new Float64Array(patchRows * info.outChannels);
  const pixelsPerChunk = Math.max(minPixelsPerChunk, Math.ceil(pixels / maxChunks));
  for (let firstPixel = 0; firstPixel < pixels; firstPixel += pixelsPerChunk) {
    const chunkPixels = Math.min(pixelsPerChunk, pixels - firstPixel);
    const patches = backend.makeOutput([1, 1, patchRows, chunkPixels], 'float32');
    const dyChunk = backend.makeOutput([1, 1, chunkPixels, info.outChannels], 'float32');
    gatherTransposedPatches(heapView(backend, x), heapView(backend, patches), info, firstPixel, chunkPixels);
    const dyStart = firstPixel * info.outChannels;
    heapView(backend, dyChunk).set(heapView(backend, dy).subarray(dyStart, dyStart + chunkPixels * info.outChannels));
    const product = runOriginal(
      backend,
      'Conv2D',
      { x: patches, filter: dyChunk },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] },
    );
    const productValues = heapView(backend, product);
    for (let i = 0; i < sums.length; i++) sums[i] += productValues[i]!;
    release(backend, patches, dyChunk, product);
  }
  return writeFloat32(backend, attrs.filterShape, Float32Array.from(sums));
}

/** Pixels gathered together: their source pixels stay in L1 while every channel row is written. */
const pixelsPerTile = 64;

/**
 * patches[(kh, kw, i), q] = x[n, y*s + kh - padTop, x*s + kw - padLeft, i] for the q-th pixel
 * (n, y, x) from `firstPixel` on, zero outside x. Works in tiles of pixels so that the scattered
 * reads of x are reused across channels and the writes are runs, not one element per row.
 */
function gatherTransposedPatches(
  xValues: Float32Array,
  patches: Float32Array,
  info: backend_util.Conv2DInfo,
  firstPixel: number,
  chunkPixels: number,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const sourceOffsets = new Int32Array(pixelsPerTile);
  for (let kh = 0; kh < info.filterHeight; kh++) {
    for (let kw = 0; kw < info.filterWidth; kw++) {
      const rowStart = (kh * info.filterWidth + kw) * inChannels * chunkPixels;
      let n = Math.floor(firstPixel / (outHeight * outWidth));
      let y = Math.floor(firstPixel / outWidth) % outHeight;
      let xo = firstPixel % outWidth;
      for (let tileStart = 0; tileStart < chunkPixels; tileStart += pixelsPerTile) {
        const tilePixels = Math.min(pixelsPerTile, chunkPixels - tileStart);
        for (let t = 0; t < tilePixels; t++) {
          const row = y * strideHeight + kh - info.padInfo.top;
          const col = xo * strideWidth + kw - info.padInfo.left;
          const inside = row >= 0 && row < inHeight && col >= 0 && col < inWidth;
          sourceOffsets[t] = inside ? ((n * inHeight + row) * inWidth + col) * inChannels : -1;
          if (++xo === outWidth) {
            xo = 0;
            if (++y === outHeight) {
              y = 0;
              n++;
            }
          }
        }
        for (let i = 0; i < inChannels; i++) {
          const target = rowStart + i * chunkPixels + tileStart;
          for (let t = 0; t < tilePixels; t++) {
            const source = sourceOffsets[t]!;
            patches[target + t] = source < 0 ? 0 : xValues[source + i]!;
          }
        }
      }
    }
  }
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
