import { Add, Multiply, RealDiv, Sub, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapView, release, reshape, runOriginal, writeFloat32 } from './toolkit.ts';

type BinaryKernelName = typeof Add | typeof Sub | typeof Multiply | typeof RealDiv;

/**
 * Binary ops where one operand is a single row repeated over the other's leading axes: the
 * per-channel scales and shifts of [N, H, W, C] that batch norm and its gradient do several times
 * per layer. wasm's broadcasting path computes an index per element (~4x slower than its
 * same-shape path, and plain JS loops are no faster); every such op is instead an affine map per
 * channel, full * scale + shift, which a 1x1 depthwise convolution with a bias computes with
 * XNNPACK's SIMD per-channel kernel on the thread pool.
 */
function rowBroadcastBinary(kernelName: BinaryKernelName) {
  return (args: { inputs: { a?: TensorInfo; b?: TensorInfo }; backend: BackendWasm }): TensorInfo => {
    const { backend } = args;
    const a = args.inputs.a!;
    const b = args.inputs.b!;
    const aIsFull = isRowOf(b.shape, a.shape);
    const bIsFull = isRowOf(a.shape, b.shape);
    // row / full is not affine in full.
    const unsupported = kernelName === RealDiv && bIsFull;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || aIsFull === bIsFull || unsupported) {
      return runOriginal(backend, kernelName, { a, b });
    }
    const [full, row] = aIsFull ? [a, b] : [b, a];
    const rowValues = heapView(backend, row).slice();
    const { scale, shift } = affineCoefficients(kernelName, rowValues, aIsFull);
    const channels = rowValues.length;
    const rows = util.sizeFromShape(full.shape) / channels;
    const filter = writeFloat32(backend, [1, 1, channels, 1], scale);
    const bias = writeFloat32(backend, [channels], shift);
    const pixels = reshape(backend, full, [1, 1, rows, channels]);
    const result = runOriginal(
      backend,
      'FusedDepthwiseConv2D',
      { x: pixels, filter, bias },
      { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC', activation: 'linear' },
    );
    release(backend, filter, bias, pixels);
    const out = reshape(backend, result, full.shape);
    release(backend, result);
    return out;
  };
}

/** full OP row (or row OP full) as full * scale + shift, per channel. */
function affineCoefficients(
  kernelName: BinaryKernelName,
  row: Float32Array,
  fullIsLeft: boolean,
): { scale: Float32Array; shift: Float32Array } {
  const ones = new Float32Array(row.length).fill(1);
  const zeros = new Float32Array(row.length);
  switch (kernelName) {
    case Add:
      return { scale: ones, shift: row };
    case Multiply:
      return { scale: row, shift: zeros };
    case Sub:
      return fullIsLeft ? { scale: ones, shift: row.map((v) => -v) } : { scale: ones.fill(-1), shift: row };
    case RealDiv:
      return { scale: row.map((v) => 1 / v), shift: zeros };
  }
}

/** Whether `row`, without its leading 1s, is a proper suffix of `full`'s shape (so it repeats). */
function isRowOf(row: number[], full: number[]): boolean {
  let start = 0;
  while (start < row.length && row[start] === 1) start++;
  const trailing = row.slice(start);
  if (trailing.length === 0 || row.length > full.length) return false;
  const fullTail = full.slice(full.length - trailing.length);
  return util.sizeFromShape(trailing) < util.sizeFromShape(full) && util.arraysEqual(trailing, fullTail);
}

export const rowBroadcastBinaryConfigs: KernelConfig[] = [Add, Sub, Multiply, RealDiv].map((kernelName) => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: rowBroadcastBinary(kernelName as BinaryKernelName) as unknown as KernelConfig['kernelFunc'],
}));
