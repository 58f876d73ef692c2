import { backend_util, Mean, Sum, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, MeanAttrs, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapView, release, reshape, runOriginal } from './toolkit.ts';

/**
 * Sum and Mean over leading axes (batch-norm statistics and their gradients reduce [N, H, W, C]
 * over N, H, W) and over the spatial axes of NHWC (global average pooling). wasm's kernels
 * transpose the reduced axes innermost first, which costs more than the sum (measured 4.7 ms of a
 * training step for the reference CNN's pooling, 0.4 ms as an average pool); adding rows of the
 * [rows, C] view in place does one pass. Other reductions go to the original kernels.
 */
function reduceLeadingAxes(kernelName: typeof Sum | typeof Mean) {
  return (args: { inputs: { x?: TensorInfo }; backend: BackendWasm; attrs: SumAttrs | MeanAttrs }): TensorInfo => {
    const { backend, attrs } = args;
    const x = args.inputs.x!;
    const axes = util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    if (x.dtype === 'float32' && x.shape.length === 4 && axes.join() === '1,2' && util.sizeFromShape(x.shape) > 0) {
      return reduceSpace(backend, x, kernelName, attrs.keepDims === true);
    }
    const isLeadingPrefix = axes.every((axis, index) => axis === index);
    const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
    const rowLength = util.sizeFromShape(x.shape.slice(axes.length));
    if (x.dtype !== 'float32' || !isLeadingPrefix || axes.length === 0 || rows === 0 || rowLength === 0) {
      return runOriginal(backend, kernelName, { x }, attrs as never);
    }
    const outShape = attrs.keepDims
      ? backend_util.expandShapeToKeepDim(x.shape.slice(axes.length), axes)
      : x.shape.slice(axes.length);
    // Batch-norm statistics reduce [N, H, W, C] over N, H, W: XNNPACK's average pooling does the
    // H*W part (SIMD, threaded), leaving N rows for the loop below.
    const pooled = axes.length === 3 && x.shape.length === 4 ? averageOverSpace(backend, x) : undefined;
    const input = pooled ?? x;
    const inputRows = pooled === undefined ? rows : x.shape[0]!;
    const rowScale = pooled === undefined ? 1 : x.shape[1]! * x.shape[2]!;
    const out = backend.makeOutput(outShape, 'float32');
    const values = heapView(backend, input);
    // float64 accumulators: rows can number in the hundreds of thousands.
    const sums = new Float64Array(rowLength);
    // Four rows per pass: a quarter of the accumulator loads and stores.
    let row = 0;
    for (; row + 4 <= inputRows; row += 4) {
      const r0 = row * rowLength;
      const r1 = r0 + rowLength;
      const r2 = r1 + rowLength;
      const r3 = r2 + rowLength;
      for (let i = 0; i < rowLength; i++) {
        sums[i] += values[r0 + i]! + values[r1 + i]! + (values[r2 + i]! + values[r3 + i]!);
      }
    }
    for (; row < inputRows; row++) {
      const start = row * rowLength;
      for (let i = 0; i < rowLength; i++) sums[i] += values[start + i]!;
    }
    if (pooled !== undefined) release(backend, pooled);
    const scale = (kernelName === Mean ? 1 / rows : 1) * rowScale;
    const target = heapView(backend, out);
    for (let i = 0; i < rowLength; i++) target[i] = sums[i]! * scale;
    return out;
  };
}

/** [N, H, W, C] -> [N, 1, 1, C] means over each image. */
function averageOverSpace(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const window = [x.shape[1]!, x.shape[2]!];
  return runOriginal(backend, 'AvgPool', { x }, { filterSize: window, strides: window, pad: 'valid' });
}

/** [N, H, W, C] summed or averaged over H and W, as [N, C] or (keepDims) [N, 1, 1, C]. */
function reduceSpace(backend: BackendWasm, x: TensorInfo, kernelName: typeof Sum | typeof Mean, keepDims: boolean): TensorInfo {
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const means = averageOverSpace(backend, x);
  const outShape = keepDims ? [batch, 1, 1, channels] : [batch, channels];
  if (kernelName === Mean) {
    const out = reshape(backend, means, outShape);
    release(backend, means);
    return out;
  }
  const out = backend.makeOutput(outShape, 'float32');
  const pixels = height * width;
  const target = heapView(backend, out);
  heapView(backend, means).forEach((mean, i) => (target[i] = mean * pixels));
  release(backend, means);
  return out;
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: reduceLeadingAxes(Sum) as unknown as KernelConfig['kernelFunc'],
};

export const meanConfig: KernelConfig = {
  kernelName: Mean,
  backendName: 'wasm',
  kernelFunc: reduceLeadingAxes(Mean) as unknown as KernelConfig['kernelFunc'],
};
