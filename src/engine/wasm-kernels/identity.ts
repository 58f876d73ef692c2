import { Identity } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runOriginal } from './toolkit.ts';

/**
 * Identity by sharing the buffer, as the cpu backend does. tfjs clones every tensor it saves for
 * the backward pass; wasm's Identity copies each one (ten full activation copies per step of the
 * reference CNN). Sharing is safe because tensor buffers are never written after creation.
 */
function identity(args: { inputs: { x?: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const x = args.inputs.x!;
  if (x.dtype === 'string') return runOriginal(backend, Identity, { x });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelConfig['kernelFunc'],
};
