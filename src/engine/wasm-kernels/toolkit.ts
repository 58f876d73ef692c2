import { getKernel, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Small helpers for composing wasm kernels out of the backend's own kernels. Composite kernels
 * work on TensorInfo (not tf.Tensor) so nothing they create is tracked by the engine or taped:
 * every intermediate must be released with `release`.
 */

/**
 * The backend's built-in kernel functions, captured before we override some of them, so a
 * replacement can still delegate to the original for the cases it does not improve.
 */
const originalKernels = new Map<string, KernelConfig>();

export function captureOriginalKernel(kernelName: string): KernelConfig {
  const existing = originalKernels.get(kernelName);
  if (existing !== undefined) return existing;
  const config = getKernel(kernelName, 'wasm');
  if (config === undefined) {
    throw new Error(`The wasm backend has no '${kernelName}' kernel to build on; is @tensorflow/tfjs-backend-wasm 4.22 installed?`);
  }
  originalKernels.set(kernelName, config);
  return config;
}

/** Runs the backend's original kernel `kernelName` (not our override) on TensorInfos. */
export function runOriginal(
  backend: BackendWasm,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = captureOriginalKernel(kernelName);
  return config.kernelFunc({ inputs, attrs, backend }) as TensorInfo;
}

export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** A reshape shares the data buffer (the backend counts references), so it costs nothing. */
export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return runOriginal(backend, 'Reshape', { x }, { shape });
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runOriginal(backend, 'Transpose', { x }, { perm });
}

/**
 * A float32 view of a tensor's bytes in wasm memory. Take it only after the last allocation you
 * make: growing wasm memory detaches every earlier view.
 */
export function heapView(backend: BackendWasm, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') {
    throw new Error(`Expected a float32 tensor, got ${info.dtype}.`);
  }
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/**
 * A float32 view of all of wasm memory, for copies between tensors with `copyWithin` (memmove
 * speed, and no view object per run). Same staleness rule as heapView.
 */
export function wholeHeap(backend: BackendWasm): Float32Array {
  return new Float32Array((backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer);
}

/** Where a float32 tensor's values start in `wholeHeap`. */
export function heapIndex(backend: BackendWasm, info: TensorInfo): number {
  if (info.dtype !== 'float32') {
    throw new Error(`Expected a float32 tensor, got ${info.dtype}.`);
  }
  return backend.getMemoryOffset(info.dataId) / Float32Array.BYTES_PER_ELEMENT;
}

/** Allocates a float32 output and fills it from JS data. */
export function writeFloat32(backend: BackendWasm, shape: number[], values: Float32Array): TensorInfo {
  util.assert(util.sizeFromShape(shape) === values.length, () => `Shape ${shape} does not hold ${values.length} values.`);
  const out = backend.makeOutput(shape, 'float32');
  heapView(backend, out).set(values);
  return out;
}

export function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  return runOriginal(backend, 'Fill', {}, { shape, value: 0, dtype: 'float32' });
}

/** Copies the window [begin, begin + size) of an NHWC tensor (only rows/columns can be cropped). */
export function cropSpatial(
  backend: BackendWasm,
  x: TensorInfo,
  top: number,
  left: number,
  height: number,
  width: number,
): TensorInfo {
  const [batch, inHeight, inWidth, channels] = x.shape;
  if (top === 0 && left === 0 && height === inHeight && width === inWidth) {
    return reshape(backend, x, x.shape);
  }
  const out = backend.makeOutput([batch, height, width, channels], 'float32');
  const source = heapView(backend, x);
  const target = heapView(backend, out);
  const rowLength = width * channels;
  for (let n = 0; n < batch; n++) {
    for (let row = 0; row < height; row++) {
      const from = ((n * inHeight + top + row) * inWidth + left) * channels;
      target.set(source.subarray(from, from + rowLength), (n * height + row) * rowLength);
    }
  }
  return out;
}
