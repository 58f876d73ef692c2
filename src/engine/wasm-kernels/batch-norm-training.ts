import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address, byteOffsetOf, op, simdFunctions } from './simd-assembler.ts';
import type { SimdFunction } from './simd-assembler.ts';
import { heapView, release, writeFloat32 } from './toolkit.ts';

/**
 * Fused passes of batch-norm training over a [rows, C] view (channels last), for
 * src/models/batch-norm.ts. Composed from tfjs's kernels, the closed-form batch norm still takes a
 * subtract, three multiplies, an add, two per-channel affine maps and four reductions per layer,
 * each a full pass over memory, and stores x - mean for the backward pass. These loops recompute
 * x - mean on the fly instead: a training step reads x three times and writes two tensors.
 * They are a few lines of hand-assembled WebAssembly SIMD (plain JS loops run ~4x slower than
 * wasm's own kernels) sharing the backend's memory; they need C to be a multiple of 4, and
 * src/models uses the composed ops otherwise. They run on the calling thread only.
 */

/** [x [.., C], mean [C]] -> biased variance [C]: mean((x - mean)^2) over all rows. */
export const BatchNormVariance = 'MorphSweepBatchNormVariance';
/** [x, mean, scale, offset (each [C])] -> (x - mean) * scale + offset. */
export const BatchNormNormalize = 'MorphSweepBatchNormNormalize';
/** [dy, x, mean] -> [sum(dy) [C], sum(dy * (x - mean)) [C]] over all rows. */
export const BatchNormGradSums = 'MorphSweepBatchNormGradSums';
/** [dy, x, mean, dyScale, centeredScale, shift] -> dy * dyScale + (x - mean) * centeredScale + shift. */
export const BatchNormInputGrad = 'MorphSweepBatchNormInputGrad';

/**
 * The loops. Pointers are byte offsets into the backend's memory; each loop runs over n bytes of
 * [rows, C] data with j = i mod channelBytes picking the per-channel values.
 */
interface SimdLoops {
  /** sumSquares[j] += (x[i] - mean[j])^2. */
  varianceSums(x: number, mean: number, sumSquares: number, nBytes: number, channelBytes: number): void;
  /** out[i] = (x[i] - mean[j]) * scale[j] + offset[j]. */
  normalize(x: number, mean: number, out: number, scale: number, offset: number, nBytes: number, channelBytes: number): void;
  /** sumDy[j] += dy[i]; sumDyC[j] += dy[i] * (x[i] - mean[j]). */
  gradSums(dy: number, x: number, mean: number, sumDy: number, sumDyC: number, nBytes: number, channelBytes: number): void;
  /** out[i] = a[j] * dy[i] + b[j] * (x[i] - mean[j]) + k[j]. */
  inputGrad(dy: number, x: number, mean: number, out: number, a: number, b: number, k: number, nBytes: number, channelBytes: number): void;
}

/**
 * `for (i = 0, j = 0; i < n; i += 16, j = (j + 16 == channelBytes) ? 0 : j + 16) body`, where the
 * locals i and j are the two after the parameters.
 */
function channelLoop(paramCount: number, nParam: number, channelParam: number, body: number[]): number[] {
  const i = paramCount;
  const j = paramCount + 1;
  return [
    ...op.block,
    ...op.loop,
    ...op.localGet(i),
    ...op.localGet(nParam),
    ...op.i32GeU,
    ...op.brIf(1),
    ...body,
    ...op.localGet(i),
    ...op.i32Const(16),
    ...op.i32Add,
    ...op.localSet(i),
    ...op.localGet(j),
    ...op.i32Const(16),
    ...op.i32Add,
    ...op.localTee(j),
    ...op.i32Const(0),
    ...op.localGet(j),
    ...op.localGet(channelParam),
    ...op.i32Ne,
    ...op.select,
    ...op.localSet(j),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

function loopFunction(name: string, params: number, v128Locals: number, nParam: number, channelParam: number, body: number[]): SimdFunction {
  return { name, params, i32Locals: 2, v128Locals, code: channelLoop(params, nParam, channelParam, body) };
}

/** (x[i] - mean[j]) on the stack. */
const centeredValue = (x: number, mean: number, i: number, j: number) => [
  ...address(x, i),
  ...op.v128Load(),
  ...address(mean, j),
  ...op.v128Load(),
  ...op.f32x4Sub,
];

/** accumulator[j] += (value on the stack). */
const accumulate = (accumulator: number, j: number, value: number[]) => [
  ...address(accumulator, j),
  ...address(accumulator, j),
  ...op.v128Load(),
  ...value,
  ...op.f32x4Add,
  ...op.v128Store(),
];

function varianceSumsFunction(): SimdFunction {
  const [x, mean, sumSquares, n, channels] = [0, 1, 2, 3, 4];
  const [i, j, value] = [5, 6, 7];
  const body = [
    ...centeredValue(x, mean, i, j),
    ...op.localSet(value),
    ...accumulate(sumSquares, j, [...op.localGet(value), ...op.localGet(value), ...op.f32x4Mul]),
  ];
  return loopFunction('varianceSums', 5, 1, n, channels, body);
}

function normalizeFunction(): SimdFunction {
  const [x, mean, out, scale, offset, n, channels] = [0, 1, 2, 3, 4, 5, 6];
  const [i, j] = [7, 8];
  const body = [
    ...address(out, i),
    ...centeredValue(x, mean, i, j),
    ...address(scale, j),
    ...op.v128Load(),
    ...op.f32x4Mul,
    ...address(offset, j),
    ...op.v128Load(),
    ...op.f32x4Add,
    ...op.v128Store(),
  ];
  return loopFunction('normalize', 7, 0, n, channels, body);
}

function gradSumsFunction(): SimdFunction {
  const [dy, x, mean, sumDy, sumDyC, n, channels] = [0, 1, 2, 3, 4, 5, 6];
  const [i, j, dyValue] = [7, 8, 9];
  const body = [
    ...address(dy, i),
    ...op.v128Load(),
    ...op.localSet(dyValue),
    ...accumulate(sumDy, j, op.localGet(dyValue)),
    ...accumulate(sumDyC, j, [...op.localGet(dyValue), ...centeredValue(x, mean, i, j), ...op.f32x4Mul]),
  ];
  return loopFunction('gradSums', 7, 1, n, channels, body);
}

function inputGradFunction(): SimdFunction {
  const [dy, x, mean, out, a, b, k, n, channels] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, j] = [9, 10];
  const body = [
    ...address(out, i),
    ...address(a, j),
    ...op.v128Load(),
    ...address(dy, i),
    ...op.v128Load(),
    ...op.f32x4Mul,
    ...address(b, j),
    ...op.v128Load(),
    ...centeredValue(x, mean, i, j),
    ...op.f32x4Mul,
    ...op.f32x4Add,
    ...address(k, j),
    ...op.v128Load(),
    ...op.f32x4Add,
    ...op.v128Store(),
  ];
  return loopFunction('inputGrad', 9, 0, n, channels, body);
}

// --- Binding to the backend's memory. ---------------------------------------------------------

function simdLoops(backend: BackendWasm): SimdLoops {
  return simdFunctions<SimdLoops>(backend, 'batch-norm-training', () => [
    varianceSumsFunction(),
    normalizeFunction(),
    gradSumsFunction(),
    inputGradFunction(),
  ]);
}

function offsetOf(backend: BackendWasm, info: TensorInfo): number {
  return byteOffsetOf(backend, info.dataId);
}

/**
 * Per-channel sums of a row loop: the loop adds float32 partial sums over chunks of 4096 / C rows,
 * which are accumulated in float64 (tfjs's own reductions add ~800-element float32 partials).
 */
function accumulateByChunks(
  backend: BackendWasm,
  channels: number,
  rows: number,
  sumCount: number,
  runChunk: (firstRow: number, rowCount: number, partialSums: number[]) => void,
): Float64Array[] {
  const totals = Array.from({ length: sumCount }, () => new Float64Array(channels));
  const partials = Array.from({ length: sumCount }, () => backend.makeOutput([channels], 'float32'));
  const partialOffsets = partials.map((info) => offsetOf(backend, info));
  const rowsPerChunk = Math.max(1, Math.floor(4096 / channels));
  for (const info of partials) heapView(backend, info).fill(0);
  for (let firstRow = 0; firstRow < rows; firstRow += rowsPerChunk) {
    runChunk(firstRow, Math.min(rowsPerChunk, rows - firstRow), partialOffsets);
    partials.forEach((info, sumIndex) => {
      const partial = heapView(backend, info);
      const total = totals[sumIndex]!;
      for (let c = 0; c < channels; c++) total[c] += partial[c]!;
      partial.fill(0);
    });
  }
  release(backend, ...partials);
  return totals;
}

/** Checks the operands' shapes (the loops trust them) and returns the [rows, C] view's size. */
function channelsOf(full: TensorInfo[], perChannel: TensorInfo[]): { channels: number; rows: number } {
  const channels = full[0]!.shape[full[0]!.shape.length - 1]!;
  const fits =
    channels % 4 === 0 &&
    full.every((info) => info.dtype === 'float32' && util.arraysEqual(info.shape, full[0]!.shape)) &&
    perChannel.every((info) => info.dtype === 'float32' && util.sizeFromShape(info.shape) === channels);
  util.assert(fits, () => `batch-norm SIMD loops need float32 [.., C] tensors with C % 4 == 0 and [C] per-channel values, got ${[...full, ...perChannel].map((info) => `${info.dtype}[${info.shape}]`).join(', ')}`);
  return { channels, rows: util.sizeFromShape(full[0]!.shape) / channels };
}

type Inputs<Names extends string> = { [name in Names]?: TensorInfo };

function variance(args: { inputs: Inputs<'x' | 'mean'>; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const { x, mean } = args.inputs as Required<typeof args.inputs>;
  const { channels, rows } = channelsOf([x], [mean]);
  const loops = simdLoops(backend);
  const [xAt, meanAt] = [offsetOf(backend, x), offsetOf(backend, mean)];
  const rowBytes = channels * 4;
  const [sumSquares] = accumulateByChunks(backend, channels, rows, 1, (firstRow, rowCount, [partial]) => {
    loops.varianceSums(xAt + firstRow * rowBytes, meanAt, partial!, rowCount * rowBytes, rowBytes);
  });
  return writeFloat32(backend, [channels], Float32Array.from(sumSquares!, (sum) => sum / rows));
}

function normalize(args: { inputs: Inputs<'x' | 'mean' | 'scale' | 'offset'>; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const { x, mean, scale, offset } = args.inputs as Required<typeof args.inputs>;
  const { channels } = channelsOf([x], [mean, scale, offset]);
  const out = backend.makeOutput(x.shape, 'float32');
  const at = (info: TensorInfo) => offsetOf(backend, info);
  const totalBytes = util.sizeFromShape(x.shape) * 4;
  simdLoops(backend).normalize(at(x), at(mean), at(out), at(scale), at(offset), totalBytes, channels * 4);
  return out;
}

function gradSums(args: { inputs: Inputs<'dy' | 'x' | 'mean'>; backend: BackendWasm }): TensorInfo[] {
  const { backend } = args;
  const { dy, x, mean } = args.inputs as Required<typeof args.inputs>;
  const { channels, rows } = channelsOf([dy, x], [mean]);
  const loops = simdLoops(backend);
  const [dyAt, xAt, meanAt] = [offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, mean)];
  const rowBytes = channels * 4;
  const [sumDy, sumDyC] = accumulateByChunks(backend, channels, rows, 2, (firstRow, rowCount, [dySums, productSums]) => {
    const start = firstRow * rowBytes;
    loops.gradSums(dyAt + start, xAt + start, meanAt, dySums!, productSums!, rowCount * rowBytes, rowBytes);
  });
  return [writeFloat32(backend, [channels], Float32Array.from(sumDy!)), writeFloat32(backend, [channels], Float32Array.from(sumDyC!))];
}

function inputGrad(args: { inputs: Inputs<'dy' | 'x' | 'mean' | 'dyScale' | 'centeredScale' | 'shift'>; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const { dy, x, mean, dyScale, centeredScale, shift } = args.inputs as Required<typeof args.inputs>;
  const { channels } = channelsOf([dy, x], [mean, dyScale, centeredScale, shift]);
  const out = backend.makeOutput(dy.shape, 'float32');
  const at = (info: TensorInfo) => offsetOf(backend, info);
  const totalBytes = util.sizeFromShape(dy.shape) * 4;
  simdLoops(backend).inputGrad(at(dy), at(x), at(mean), at(out), at(dyScale), at(centeredScale), at(shift), totalBytes, channels * 4);
  return out;
}

export const batchNormTrainingConfigs: KernelConfig[] = [
  { kernelName: BatchNormVariance, backendName: 'wasm', kernelFunc: variance as unknown as KernelConfig['kernelFunc'] },
  { kernelName: BatchNormNormalize, backendName: 'wasm', kernelFunc: normalize as unknown as KernelConfig['kernelFunc'] },
  { kernelName: BatchNormGradSums, backendName: 'wasm', kernelFunc: gradSums as unknown as KernelConfig['kernelFunc'] },
  { kernelName: BatchNormInputGrad, backendName: 'wasm', kernelFunc: inputGrad as unknown as KernelConfig['kernelFunc'] },
];
