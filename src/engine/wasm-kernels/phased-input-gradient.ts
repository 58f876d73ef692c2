import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { AxisPhase, AxisPhasePlan } from './conv-geometry.ts';
import { cropSpatial, heapView, release } from './toolkit.ts';

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
  rowPlan.phases.forEach((rowPhase, rowOffset) => {
    colPlan.phases.forEach((colPhase, colOffset) => {
      const placement = { rowOffset, colOffset, rowStride, colStride, batch, inHeight, inWidth, channels };
      if (rowPhase.taps.length === 0 || colPhase.taps.length === 0) {
        scatterPhase(heapView(backend, dx), null, { ...placement, phaseRows: 0, phaseCols: 0 });
        return;
      }
      const phaseOut = convolveOnePhase(rowPhase, colPhase);
      scatterPhase(heapView(backend, dx), heapView(backend, phaseOut), {
        ...placement,
        phaseRows: rowPlan.phaseLength,
        phaseCols: colPlan.phaseLength,
      });
      release(backend, phaseOut);
    });
  });
  return dx;
}

interface Placement {
  rowOffset: number;
  colOffset: number;
  rowStride: number;
  colStride: number;
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  phaseRows: number;
  phaseCols: number;
}

/** Writes phase output [N, phaseRows, phaseCols, C] (or zeros when null) to dx's phase positions. */
function scatterPhase(dx: Float32Array, phase: Float32Array | null, p: Placement): void {
  const { channels } = p;
  for (let n = 0; n < p.batch; n++) {
    for (let q = 0, row = p.rowOffset; row < p.inHeight; q++, row += p.rowStride) {
      for (let s = 0, col = p.colOffset; col < p.inWidth; s++, col += p.colStride) {
        const target = ((n * p.inHeight + row) * p.inWidth + col) * channels;
        if (phase === null) {
          dx.fill(0, target, target + channels);
          continue;
        }
        const source = ((n * p.phaseRows + q) * p.phaseCols + s) * channels;
        // A plain loop beats subarray+set for runs this short.
        for (let c = 0; c < channels; c++) dx[target + c] = phase[source + c]!;
      }
    }
  }
}
