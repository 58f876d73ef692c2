import type { backend_util } from '@tensorflow/tfjs-core';

/** Runs shorter than this are copied by a loop: a copyWithin call costs more than it saves on them. */
const shortestRunForCopyWithin = 16;

/** Where the gathered patches go: element offsets in one view of wasm memory. */
export interface PatchLayout {
  /** All of wasm memory (x and the patches are both in it). */
  heap: Float32Array;
  xStart: number;
  patchesStart: number;
  /** Distance between consecutive filter rows kh of one pixel's patch. */
  filterRowStride: number;
  /** Distance between consecutive pixels' patches. */
  pixelStride: number;
}

/**
 * im2col: the patch of the q-th output pixel (n, y, x) from `firstPixel` on is
 * x[n, y*s + kh - padTop, x*s + kw - padLeft, i] over (kh, kw, i), zero outside x, written as
 * KH runs of KW*Cin values at `filterRowStride` apart (one patch row after another for the natural
 * layout; planes for a layout split by kh). For each (pixel, kh) the in-bounds taps form one
 * contiguous run of x, copied with copyWithin rather than element by element.
 */
export function gatherPatches(
  layout: PatchLayout,
  info: backend_util.Conv2DInfo,
  firstPixel: number,
  chunkPixels: number,
): void {
  if (info.filterWidth * info.inChannels < shortestRunForCopyWithin) {
    gatherShortPatches(layout, info, firstPixel, chunkPixels);
    return;
  }
  const { heap, xStart, patchesStart, filterRowStride, pixelStride } = layout;
  const { inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const rowLength = filterWidth * inChannels;
  let n = Math.floor(firstPixel / (outHeight * outWidth));
  let y = Math.floor(firstPixel / outWidth) % outHeight;
  let xo = firstPixel % outWidth;
  for (let q = 0; q < chunkPixels; q++) {
    const colStart = xo * strideWidth - padLeft;
    // Taps [firstTap, endTap) land inside x's columns.
    const firstTap = Math.max(0, -colStart);
    const endTap = Math.min(filterWidth, inWidth - colStart);
    const runLength = Math.max(0, endTap - firstTap) * inChannels;
    const before = firstTap * inChannels;
    for (let kh = 0; kh < filterHeight; kh++) {
      const target = patchesStart + q * pixelStride + kh * filterRowStride;
      const row = y * strideHeight + kh - padTop;
      if (row < 0 || row >= inHeight || runLength === 0) {
        heap.fill(0, target, target + rowLength);
        continue;
      }
      if (before > 0) heap.fill(0, target, target + before);
      const source = xStart + ((n * inHeight + row) * inWidth + colStart + firstTap) * inChannels;
      const runTarget = target + before;
      if (runLength >= shortestRunForCopyWithin) {
        heap.copyWithin(runTarget, source, source + runLength);
      } else {
        for (let j = 0; j < runLength; j++) heap[runTarget + j] = heap[source + j]!;
      }
      if (before + runLength < rowLength) heap.fill(0, runTarget + runLength, target + rowLength);
    }
    if (++xo === outWidth) {
      xo = 0;
      if (++y === outHeight) {
        y = 0;
        n++;
      }
    }
  }
}

/**
 * gatherPatches for patch rows too short to copy in runs (few input channels, e.g. images): one
 * tight loop per element, with each (output column, tap)'s source column worked out once.
 */
function gatherShortPatches(layout: PatchLayout, info: backend_util.Conv2DInfo, firstPixel: number, chunkPixels: number): void {
  const { heap, xStart, patchesStart, filterRowStride, pixelStride } = layout;
  const { inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, filterHeight, filterWidth } = info;
  const padTop = info.padInfo.top;
  // sourceColumns[xo * KW + kw]: x's column for that tap, or -1 outside x.
  const sourceColumns = new Int32Array(outWidth * filterWidth);
  for (let xo = 0; xo < outWidth; xo++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      const col = xo * info.strideWidth + kw - info.padInfo.left;
      sourceColumns[xo * filterWidth + kw] = col >= 0 && col < inWidth ? col : -1;
    }
  }
  let q = 0;
  let n = Math.floor(firstPixel / (outHeight * outWidth));
  let y = Math.floor(firstPixel / outWidth) % outHeight;
  let firstColumn = firstPixel % outWidth;
  while (q < chunkPixels) {
    const rowPixels = Math.min(outWidth - firstColumn, chunkPixels - q);
    for (let kh = 0; kh < filterHeight; kh++) {
      const row = y * strideHeight + kh - padTop;
      const rowInside = row >= 0 && row < inHeight;
      const rowStart = xStart + (n * inHeight + row) * inWidth * inChannels;
      for (let t = 0; t < rowPixels; t++) {
        const xo = firstColumn + t;
        let target = patchesStart + (q + t) * pixelStride + kh * filterRowStride;
        for (let kw = 0; kw < filterWidth; kw++) {
          const col = sourceColumns[xo * filterWidth + kw]!;
          if (!rowInside || col < 0) {
            for (let i = 0; i < inChannels; i++) heap[target++] = 0;
          } else {
            const source = rowStart + col * inChannels;
            for (let i = 0; i < inChannels; i++) heap[target++] = heap[source + i]!;
          }
        }
      }
    }
    q += rowPixels;
    firstColumn = 0;
    if (++y === outHeight) {
      y = 0;
      n++;
    }
  }
}
