import { getGradient, registerGradient, Relu, util } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address, byteOffsetOf, op, simdFunctions } from './simd-assembler.ts';
import type { SimdFunction } from './simd-assembler.ts';
import { heapView } from './toolkit.ts';

/**
 * ReLU's input gradient in one pass: dx = x > 0 ? dy : 0. tfjs computes it as dy * step(x), two
 * full-size kernels (measured ~6 ms a training step of the reference CNN on wasm; this pass ~1.5 ms).
 * Unlike dy * step(x), it gives 0 (not NaN) where x is NaN or dy is infinite with x <= 0; a NaN
 * loss is caught by the training loop either way.
 */
export const ReluGrad = 'MorphSweepReluGrad';

interface ReluGradLoop {
  /** out[i] = x[i] > 0 ? dy[i] : 0 for the first nBytes (a multiple of 16). */
  reluGrad(dy: number, x: number, out: number, nBytes: number): void;
}

function reluGradFunction(): SimdFunction {
  const [dy, x, out, n] = [0, 1, 2, 3];
  const i = 4;
  // Never set, so all zeros: v128 locals start zeroed.
  const zero = 5;
  const code = [
    ...op.block,
    ...op.loop,
    ...op.localGet(i),
    ...op.localGet(n),
    ...op.i32GeU,
    ...op.brIf(1),
    ...address(out, i),
    ...address(dy, i),
    ...op.v128Load(),
    ...address(x, i),
    ...op.v128Load(),
    ...op.localGet(zero),
    ...op.f32x4Gt,
    ...op.v128And,
    ...op.v128Store(),
    ...op.localGet(i),
    ...op.i32Const(16),
    ...op.i32Add,
    ...op.localSet(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  return { name: 'reluGrad', params: 4, i32Locals: 1, v128Locals: 1, code };
}

function reluGrad(args: { inputs: { dy?: TensorInfo; x?: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const dy = args.inputs.dy!;
  const x = args.inputs.x!;
  util.assert(
    dy.dtype === 'float32' && x.dtype === 'float32' && util.arraysEqual(dy.shape, x.shape),
    () => `${ReluGrad} needs float32 dy and x of one shape, got ${dy.dtype}[${dy.shape}] and ${x.dtype}[${x.shape}]`,
  );
  const size = util.sizeFromShape(x.shape);
  const out = backend.makeOutput(x.shape, 'float32');
  const vectorized = size - (size % 4);
  const at = (info: TensorInfo) => byteOffsetOf(backend, info.dataId);
  simdFunctions<ReluGradLoop>(backend, 'relu-gradient', () => [reluGradFunction()]).reluGrad(at(dy), at(x), at(out), vectorized * 4);
  const [dyValues, xValues, outValues] = [heapView(backend, dy), heapView(backend, x), heapView(backend, out)];
  for (let k = vectorized; k < size; k++) outValues[k] = xValues[k]! > 0 ? dyValues[k]! : 0;
  return out;
}

export const reluGradConfig: KernelConfig = {
  kernelName: ReluGrad,
  backendName: 'wasm',
  kernelFunc: reluGrad as unknown as KernelConfig['kernelFunc'],
};

/**
 * Makes Relu's gradient use ReluGrad for float32 tensors on the backends that register it (wasm,
 * and the native engines: src/engine/native-kernels.ts); elsewhere tfjs's own gradient runs.
 * Gradients are registered per kernel, not per backend, hence the dispatch here.
 */
export function registerReluGradient(): void {
  const original = getGradient(Relu);
  if (original === undefined) throw new Error("tfjs registers no gradient for 'Relu'; is @tensorflow/tfjs-core 4.22 installed?");
  if ((original as { morphSweep?: boolean }).morphSweep === true) return;
  const config: GradConfig & { morphSweep: true } = {
    kernelName: Relu,
    inputsToSave: ['x'],
    morphSweep: true,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [Tensor];
      const gradient = dy as Tensor;
      if (tf.getKernel(ReluGrad, tf.getBackend()) === undefined || x.dtype !== 'float32' || gradient.dtype !== 'float32') {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(ReluGrad, { dy: gradient, x }) as Tensor };
    },
  };
  registerGradient(config);
}
