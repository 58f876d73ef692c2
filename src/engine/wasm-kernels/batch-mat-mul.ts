import { BatchMatMul, util } from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, reshape, runOriginal, transpose } from './toolkit.ts';

/**
 * wasm's BatchMatMul uses XNNPACK only for a single untransposed product, and then without the
 * thread pool; a transposed operand (every matMul gradient has one) or a batch falls into a scalar
 * loop 15-70x slower. Here operands are transposed first (cheap next to the product), and a single
 * product runs as a 1x1 XNNPACK convolution, which does use the pool.
 */
function batchMatMul(args: {
  inputs: { a?: TensorInfo; b?: TensorInfo };
  backend: BackendWasm;
  attrs: BatchMatMulAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const a = args.inputs.a!;
  const b = args.inputs.b!;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return runOriginal(backend, BatchMatMul, { a, b }, attrs as never);
  }
  const plainA = attrs.transposeA ? swapLastAxes(backend, a) : reshape(backend, a, a.shape);
  const plainB = attrs.transposeB ? swapLastAxes(backend, b) : reshape(backend, b, b.shape);
  try {
    const [rows, shared] = plainA.shape.slice(-2) as [number, number];
    const columns = plainB.shape[plainB.shape.length - 1]!;
    const batchA = util.sizeFromShape(plainA.shape.slice(0, -2));
    const batchB = util.sizeFromShape(plainB.shape.slice(0, -2));
    if (batchA !== 1 || batchB !== 1 || rows * shared * columns === 0) {
      return runOriginal(backend, BatchMatMul, { a: plainA, b: plainB }, { transposeA: false, transposeB: false });
    }
    const outShape = [...broadcastBatchShape(plainA.shape, plainB.shape), rows, columns];
    const pixels = reshape(backend, plainA, [1, 1, rows, shared]);
    const filter = reshape(backend, plainB, [1, 1, shared, columns]);
    const product = runOriginal(
      backend,
      'Conv2D',
      { x: pixels, filter },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] },
    );
    release(backend, pixels, filter);
    const out = reshape(backend, product, outShape);
    release(backend, product);
    return out;
  } finally {
    release(backend, plainA, plainB);
  }
}

function swapLastAxes(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const perm = x.shape.map((_, axis) => axis);
  const rank = perm.length;
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return transpose(backend, x, perm);
}

/** Leading (batch) dims of the output when both operands hold a single matrix: all ones. */
function broadcastBatchShape(aShape: number[], bShape: number[]): number[] {
  const rank = Math.max(aShape.length, bShape.length) - 2;
  return new Array<number>(rank).fill(1);
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelConfig['kernelFunc'],
};
