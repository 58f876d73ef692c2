import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { AxisPhase, AxisPhasePlan } from './conv-geometry.ts';
import { pixelScatter } from './pixel-scatter.ts';
import { byteOffsetOf } from './simd-assembler.ts';
import { cropSpatial, release, zeros as zeroPhase } from './toolkit.ts';

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

  const dx = backend.makeOutput(inputShape, 'float32');
  const scatter = pixelScatter(backend);
  const pixelBytes = channels * 4;
  const phaseRowBytes = colPlan.phaseLength * pixelBytes;
  /**
   * Writes phase [N, L_h, L_w, C] to dx's rows rowOffset + k * rowStride and columns likewise. A
   * phase is ceil(size / stride) long, so its last row or column can fall outside dx.
   */
  const scatterPhase = (phase: TensorInfo, rowOffset: number, colOffset: number): void => {
    const rows = Math.min(rowPlan.phaseLength, Math.ceil((inHeight - rowOffset) / rowStride));
    const columns = Math.min(colPlan.phaseLength, Math.ceil((inWidth - colOffset) / colStride));
    if (rows <= 0 || columns <= 0) return;
    const [phaseAt, dxAt] = [byteOffsetOf(backend, phase.dataId), byteOffsetOf(backend, dx.dataId)];
    for (let n = 0; n < batch; n++) {
      const src = phaseAt + n * rowPlan.phaseLength * phaseRowBytes;
      const dst = dxAt + ((n * inHeight + rowOffset) * inWidth + colOffset) * pixelBytes;
      scatter.scatter(src, dst, rows, columns, pixelBytes, phaseRowBytes, colStride * pixelBytes, rowStride * inWidth * pixelBytes);
    }
  };
  rowPlan.phases.forEach((rowPhase, rowOffset) => {
    colPlan.phases.forEach((colPhase, colOffset) => {
      const noTaps = rowPhase.taps.length === 0 || colPhase.taps.length === 0;
      const phase = noTaps
        ? zeroPhase(backend, [batch, rowPlan.phaseLength, colPlan.phaseLength, channels])
        : convolveOnePhase(rowPhase, colPhase);
      scatterPhase(phase, rowOffset, colOffset);
      release(backend, phase);
    });
  });
  return dx;
}
