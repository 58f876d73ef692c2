import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gatherPatches } from './patches.ts';
import { shortPatchProducts, shortPatchProductsApply } from './short-patch-products.ts';
import { transposedPatches, transposedPatchesApply } from './transposed-patches.ts';
import { heapIndex, heapView, release, reshape, runOriginal, transpose, wholeHeap, writeFloat32 } from './toolkit.ts';

/**
 * Pixels per partial product, about. Each chunk is its own XNNPACK operator, whose creation
 * (transposing and packing its filter) costs about the same per filter value whatever the chunk
 * size, while the product itself gets a little faster with longer reductions; the chunks bound
 * the memory that the gathered patches take.
 */
const targetPixelsPerChunk = 4096;
/** Cap on the number of chunks for layers with many pixels. */
const maxChunks = 16;

/**
 * Filter gradient of an NHWC convolution (missing from the wasm backend):
 * dW[kh, kw, i, o] = sum over pixels p = (n, y, x) of x[n, y*s + kh - pad, x*s + kw - pad, i] * dy[p, o],
 * i.e. patches^T [KH*KW*Cin, P] times dy [P, Cout], summed over chunks of pixels. Each chunk's
 * product is a 1x1 XNNPACK convolution (the only threaded GEMM the backend exposes): its "pixels"
 * are the rows of one transposed operand and its filter is the other operand in natural layout.
 * Creating the operator transposes and packs the filter at several ns per value, so the smaller of
 * dy and the patch matrix is the filter. The patches are gathered in runs of KW*Cin contiguous
 * values of x (copyWithin, memmove speed); transposes run in the backend's Transpose kernel.
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
  const patchLength = info.filterHeight * info.filterWidth * info.inChannels;
  const pixelsPerChunk = chunkLength(pixels);
  // Patches as the filter when they are the narrower operand (few input channels, e.g. images).
  const patchesAsFilter = patchLength < info.outChannels;
  const allPatches = patchesAsFilter ? channelMajorPatches(backend, x, attrs.filterShape, info) : undefined;
  if (allPatches !== undefined && shortPatchProductsApply(info.outChannels)) {
    const products = shortPatchProducts(backend, allPatches, dy);
    release(backend, allPatches);
    return writeFloat32(backend, attrs.filterShape, channelMajorToFilter(products, info, 'rows'));
  }
  const partialProducts: TensorInfo[] = [];
  for (let firstPixel = 0; firstPixel < pixels; firstPixel += pixelsPerChunk) {
    const chunkPixels = Math.min(pixelsPerChunk, pixels - firstPixel);
    const dyChunk = sliceRows(backend, dy, firstPixel, chunkPixels, pixels);
    let rows: TensorInfo;
    let filter: TensorInfo;
    if (allPatches !== undefined) {
      filter = sliceRows(backend, allPatches, firstPixel, chunkPixels, pixels);
      rows = transposeMatrix(backend, dyChunk, [1, 1, info.outChannels, chunkPixels]);
      release(backend, dyChunk);
    } else {
      rows = transposedPatchesApply(info, chunkPixels)
        ? transposedPatches(backend, x, info, firstPixel, chunkPixels)
        : gatherTransposedPatches(backend, x, info, firstPixel, chunkPixels);
      filter = dyChunk;
    }
    partialProducts.push(
      runOriginal(
        backend,
        'Conv2D',
        { x: rows, filter },
        { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] },
      ),
    );
    // Releasing the filter also deletes the XNNPACK operator the backend cached for it.
    release(backend, rows, filter);
  }
  if (allPatches !== undefined) release(backend, allPatches);
  const sums = sumPartialProducts(backend, partialProducts);
  if (allPatches === undefined) return writeFloat32(backend, attrs.filterShape, sums);
  // The products were dW^T: [Cout, (i, kh, kw)].
  return writeFloat32(backend, attrs.filterShape, channelMajorToFilter(sums, info, 'columns'));
}

/**
 * dW [KH, KW, Cin, Cout] from products over channel-major patches, whose (i, kh, kw) index runs
 * along the rows ([(i, kh, kw), Cout]) or the columns ([Cout, (i, kh, kw)]).
 */
function channelMajorToFilter(products: ArrayLike<number>, info: backend_util.Conv2DInfo, patchAxis: 'rows' | 'columns'): Float32Array {
  const { inChannels, outChannels } = info;
  const taps = info.filterHeight * info.filterWidth;
  const patchLength = inChannels * taps;
  const filterValues = new Float32Array(patchLength * outChannels);
  for (let o = 0; o < outChannels; o++) {
    for (let i = 0; i < inChannels; i++) {
      for (let t = 0; t < taps; t++) {
        const patchIndex = i * taps + t;
        const source = patchAxis === 'rows' ? patchIndex * outChannels + o : o * patchLength + patchIndex;
        filterValues[(t * inChannels + i) * outChannels + o] = products[source]!;
      }
    }
  }
  return filterValues;
}

/**
 * All patches at once, as [N, OH, OW, Cin*KH*KW] in (i, kh, kw) order: a depthwise convolution
 * of x with one-hot filters (channel multiplier KH*KW, one per tap) copies each tap's shifted
 * input to its own channel, zero padding and strides included, in XNNPACK's threaded kernels.
 */
function channelMajorPatches(
  backend: BackendWasm,
  x: TensorInfo,
  filterShape: number[],
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const [filterHeight, filterWidth, inChannels] = filterShape as [number, number, number, number];
  const taps = filterHeight * filterWidth;
  const oneHot = new Float32Array(taps * inChannels * taps);
  for (let t = 0; t < taps; t++) {
    for (let i = 0; i < inChannels; i++) oneHot[(t * inChannels + i) * taps + t] = 1;
  }
  const filter = writeFloat32(backend, [filterHeight, filterWidth, inChannels, taps], oneHot);
  const patches = runOriginal(
    backend,
    'DepthwiseConv2dNative',
    { x, filter },
    // Explicit padding: with 'same' the wasm backend's convolutions are wrong for non-square filters
    // (measured: 3x1 and 1x3 filters, stride 2, on 8x8 inputs).
    { strides: [info.strideHeight, info.strideWidth], pad: explicitPadding(info), dilations: [1, 1] },
  );
  release(backend, filter);
  const expected = [info.batchSize, info.outHeight, info.outWidth, inChannels * taps];
  if (patches.shape.join() !== expected.join()) {
    release(backend, patches);
    throw new Error(`Internal error: patch convolution gave shape ${patches.shape}, expected ${expected}.`);
  }
  return patches;
}

function explicitPadding(info: backend_util.Conv2DInfo): number[][] {
  const { top, bottom, left, right } = info.padInfo;
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/**
 * Equal chunks of about the target length, rounded up to 16 times an odd number: the backend's
 * transposes write one stream per column with a stride of the chunk length, and a stride that is a
 * multiple of 4 KiB maps every stream to the same cache set (measured 5-10x slower at 2048).
 */
function chunkLength(pixels: number): number {
  const chunks = Math.min(maxChunks, Math.max(1, Math.round(pixels / targetPixelsPerChunk)));
  const length = Math.ceil(pixels / chunks);
  if (chunks === 1) return length;
  const sixteens = Math.ceil(length / 16);
  return 16 * (sixteens % 2 === 1 ? sixteens : sixteens + 1);
}

/** The chunk's patch matrix, transposed, as the rows of a 1x1 convolution: [1, 1, KH*KW*Cin, P]. */
function gatherTransposedPatches(
  backend: BackendWasm,
  x: TensorInfo,
  info: backend_util.Conv2DInfo,
  firstPixel: number,
  chunkPixels: number,
): TensorInfo {
  const rowLength = info.filterWidth * info.inChannels;
  // Gathered as [KH, P, KW*Cin] planes, so that each plane's transpose writes only KW*Cin streams
  // (all KH*KW*Cin of them at once do not fit in L1).
  const patches = backend.makeOutput([info.filterHeight, chunkPixels, rowLength], 'float32');
  // The heap view only after the allocation: growing wasm memory detaches earlier views.
  const layout = {
    heap: wholeHeap(backend),
    xStart: heapIndex(backend, x),
    patchesStart: heapIndex(backend, patches),
    filterRowStride: chunkPixels * rowLength,
    pixelStride: rowLength,
  };
  gatherPatches(layout, info, firstPixel, chunkPixels);
  // [KH, P, KW*Cin] -> [KH, KW*Cin, P], which is [KH*KW*Cin, P].
  const planes = transpose(backend, patches, [0, 2, 1]);
  release(backend, patches);
  const rows = reshape(backend, planes, [1, 1, info.filterHeight * rowLength, chunkPixels]);
  release(backend, planes);
  return rows;
}

/** The last two axes of a [1, 1, R, C] tensor swapped, as `shape` ([1, 1, C, R]). */
function transposeMatrix(backend: BackendWasm, matrix: TensorInfo, shape: number[]): TensorInfo {
  const swapped = transpose(backend, matrix, [0, 1, 3, 2]);
  const out = reshape(backend, swapped, shape);
  release(backend, swapped);
  return out;
}

/** Pixels [firstPixel, firstPixel + count) of an NHWC tensor as a [1, 1, count, C] tensor of their own. */
function sliceRows(backend: BackendWasm, nhwc: TensorInfo, firstPixel: number, count: number, pixels: number): TensorInfo {
  const channels = nhwc.shape[3]!;
  if (count === pixels) return reshape(backend, nhwc, [1, 1, pixels, channels]);
  const slice = backend.makeOutput([1, 1, count, channels], 'float32');
  const start = firstPixel * channels;
  heapView(backend, slice).set(heapView(backend, nhwc).subarray(start, start + count * channels));
  return slice;
}

/** Sums the chunks' products (in float64, rounded once) and releases them. */
function sumPartialProducts(backend: BackendWasm, products: TensorInfo[]): Float32Array {
  const sums = new Float64Array(products[0]!.shape.reduce((a, b) => a * b, 1));
  for (const product of products) {
    const values = heapView(backend, product);
    for (let i = 0; i < sums.length; i++) sums[i] += values[i]!;
  }
  release(backend, ...products);
  return Float32Array.from(sums);
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
