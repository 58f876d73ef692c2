import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { AxisPhase, AxisPhasePlan } from './conv-geometry.ts';
import { cropSpatial, heapView, release, reshape, transpose } from './toolkit.ts';

/** Explicit NHWC padding in the form tfjs kernels accept. */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** Convolves the (cropped) dy window for one (row, column) phase into [N, rows, cols, C]. */
export type PhaseConvolution = (
  dyWindow: TensorInfo,
  rowPhase: AxisPhase,
  colPhase: AxisPhase,
  padding: ExplicitPadding,
) => TensorInfo;

/**
 * Input gradient of a strided NHWC convolution as one dense stride-1 convolution per
 * (row phase, column phase), interleaved into dx. See conv-geometry.ts for the phase algebra.
 */
export function phasedInputGradient(
  backend: BackendWasm,
  dy: TensorInfo,
  inputShape: [number, number, number, number],
  rowPlan: AxisPhasePlan,
  colPlan: AxisPhasePlan,
  convolvePhase: PhaseConvolution,
): TensorInfo {
  const [batch, inHeight, inWidth, channels] = inputShape;
  const [, outHeight, outWidth] = dy.shape;
  const rowStride = rowPlan.phases.length;
  const colStride = colPlan.phases.length;
  const convolveOnePhase = (rowPhase: AxisPhase, colPhase: AxisPhase): TensorInfo => {
    const cropTop = Math.max(0, -rowPhase.padBefore);
    const cropBottom = Math.max(0, -rowPhase.padAfter);
    const cropLeft = Math.max(0, -colPhase.padBefore);
    const cropRight = Math.max(0, -colPhase.padAfter);
    const dyWindow = cropSpatial(
      backend,
      dy,
      cropTop,
      cropLeft,
      outHeight - cropTop - cropBottom,
      outWidth - cropLeft - cropRight,
    );
    const padding: ExplicitPadding = [
      [0, 0],
      [Math.max(0, rowPhase.padBefore), Math.max(0, rowPhase.padAfter)],
      [Math.max(0, colPhase.padBefore), Math.max(0, colPhase.padAfter)],
      [0, 0],
    ];
    const phaseOut = convolvePhase(dyWindow, rowPhase, colPhase, padding);
    release(backend, dyWindow);
    if (phaseOut.shape[1] !== rowPlan.phaseLength || phaseOut.shape[2] !== colPlan.phaseLength) {
      throw new Error(
        `Internal error: phase output ${phaseOut.shape} does not match phase lengths ` +
          `${rowPlan.phaseLength}x${colPlan.phaseLength}.`,
      );
    }
    return phaseOut;
  };
  // Unit strides: the single phase already is dx, with nothing to interleave.
  if (rowStride === 1 && colStride === 1) return convolveOnePhase(rowPlan.phases[0]!, colPlan.phases[0]!);

  // Interleave in wasm: stack the phases as [rowStride, colStride, N*L_h*L_w, C], then two
  // transposes that the backend runs as cache-friendly 3D copies (a JS scatter took ~5x longer):
  // [r, c, pixels, C] -> [r, pixels, c, C] = [r, N*L_h, L_w*c*C] -> [N*L_h, r, L_w*c*C].
  const phaseSize = batch * rowPlan.phaseLength * colPlan.phaseLength * channels;
  const stacked = backend.makeOutput([rowStride, colStride, phaseSize / channels, channels], 'float32');
  rowPlan.phases.forEach((rowPhase, rowOffset) => {
    colPlan.phases.forEach((colPhase, colOffset) => {
      const start = (rowOffset * colStride + colOffset) * phaseSize;
      if (rowPhase.taps.length === 0 || colPhase.taps.length === 0) {
        heapView(backend, stacked).fill(0, start, start + phaseSize);
        return;
      }
      const phaseOut = convolveOnePhase(rowPhase, colPhase);
      // Views after convolveOnePhase's allocations.
      heapView(backend, stacked).set(heapView(backend, phaseOut), start);
      release(backend, phaseOut);
    });
  });
  const columnsInterleaved = transpose(backend, stacked, [0, 2, 1, 3]);
  release(backend, stacked);
  const rowsByPhase = reshape(backend, columnsInterleaved, [
    rowStride,
    batch * rowPlan.phaseLength,
    colPlan.phaseLength * colStride * channels,
  ]);
  release(backend, columnsInterleaved);
  const interleaved = transpose(backend, rowsByPhase, [1, 0, 2]);
  release(backend, rowsByPhase);
  const paddedShape = [batch, rowPlan.phaseLength * rowStride, colPlan.phaseLength * colStride, channels];
  const padded = reshape(backend, interleaved, paddedShape);
  release(backend, interleaved);
  // Each phase is ceil(size / stride) long, so the interleaved gradient can overhang dx by a row or column.
  const dx = cropSpatial(backend, padded, 0, 0, inHeight, inWidth);
  release(backend, padded);
  return dx;
}
