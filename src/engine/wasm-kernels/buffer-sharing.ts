import { Cast, Identity } from '@tensorflow/tfjs-core';
import type { CastAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runOriginal } from './toolkit.ts';

/**
 * Kernels whose result has the input's bytes share the input's buffer, as the cpu backend does,
 * instead of copying it as wasm's do. tfjs clones every tensor it saves for the backward pass
 * (ten full activation copies per step of the reference CNN) and the ReLU gradient casts a float
 * mask to float. Sharing is safe because tensor buffers are never written after creation.
 */
function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

function identity(args: { inputs: { x?: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const x = args.inputs.x!;
  return x.dtype === 'string' ? runOriginal(args.backend, Identity, { x }) : share(args.backend, x);
}

function cast(args: { inputs: { x?: TensorInfo }; backend: BackendWasm; attrs: CastAttrs }): TensorInfo {
  const x = args.inputs.x!;
  const sameBytes = x.dtype === args.attrs.dtype && x.dtype !== 'string';
  return sameBytes ? share(args.backend, x) : runOriginal(args.backend, Cast, { x }, args.attrs as never);
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelConfig['kernelFunc'],
};

export const castConfig: KernelConfig = {
  kernelName: Cast,
  backendName: 'wasm',
  kernelFunc: cast as unknown as KernelConfig['kernelFunc'],
};
