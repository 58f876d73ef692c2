import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/index.ts';

/**
 * Every kernel the engine registers for wasm, against tfjs's reference `cpu` backend on the same
 * inputs, over many shapes. Each case runs on wasm first; then all run again on cpu.
 */

const relativeErrorLimit = 1e-5;

type Attrs = Record<string, unknown>;
interface KernelCase {
  label: string;
  kernel: string;
  inputs: Record<string, { shape: number[]; values: Float32Array }>;
  attrs: Attrs;
  /** How to get the expected values on cpu when that differs from running the same case. */
  cpuReference?: () => Float32Array;
}

function seededValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}

function input(shape: number[], seed: number) {
  return { shape, values: seededValues(shape.reduce((a, b) => a * b, 1), seed) };
}

function runCase(c: KernelCase): Float32Array {
  return tf.tidy(() => {
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([name, v]) => [name, tf.tensor(v.values, v.shape)]));
    const out = tf.engine().runKernel(c.kernel, inputs, c.attrs as never) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  let maxDiff = 0;
  let maxExpected = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected[i]!));
    maxExpected = Math.max(maxExpected, Math.abs(expected[i]!));
  }
  return maxDiff / Math.max(maxExpected, 1e-30);
}

/** Runs all cases on wasm, then on cpu; returns the failures (empty when all agree). */
async function compareWithCpu(cases: KernelCase[]): Promise<string[]> {
  const buffersBefore = tf.engine().backend.numDataIds();
  const wasmResults = cases.map((c) => {
    try {
      return runCase(c);
    } catch (error) {
      return error as Error;
    }
  });
  // Composite kernels allocate intermediates outside tfjs's bookkeeping: all must be released.
  const leakedBuffers = tf.engine().backend.numDataIds() - buffersBefore;
  await tf.setBackend('cpu');
  const failures: string[] = leakedBuffers === 0 ? [] : [`${leakedBuffers} wasm buffers leaked`];
  try {
    cases.forEach((c, i) => {
      const actual = wasmResults[i]!;
      const expected = c.cpuReference ? c.cpuReference() : runCase(c);
      if (actual instanceof Error) {
        failures.push(`${c.label}: wasm threw ${actual.message}`);
      } else if (actual.length !== expected.length) {
        failures.push(`${c.label}: ${actual.length} values on wasm, ${expected.length} on cpu`);
      } else {
        const error = relativeError(actual, expected);
        if (!(error < relativeErrorLimit)) failures.push(`${c.label}: relative error ${error.toExponential(2)}`);
      }
    });
  } finally {
    await tf.setBackend('wasm');
  }
  return failures;
}

const inputShapes: [number, number, number, number][] = [
  [2, 7, 9, 3],
  [1, 8, 8, 1],
  [3, 11, 6, 4],
  [2, 5, 5, 2],
];
const filterSizes: [number, number][] = [
  [1, 1],
  [2, 2],
  [3, 3],
  [5, 5],
  [3, 1],
];
const strideChoices: [number, number][] = [
  [1, 1],
  [2, 2],
  [3, 3],
  [1, 2],
  [2, 3],
];
const explicitPad = [
  [0, 0],
  [1, 2],
  [0, 1],
  [0, 0],
];
const padChoices: (string | number[][])[] = ['same', 'valid', explicitPad];

/** Every (shape, filter, stride, pad) combination whose forward convolution is defined. */
interface ConvGeometry {
  shape: [number, number, number, number];
  filter: [number, number];
  strides: [number, number];
  pad: string | number[][];
  label: string;
}

function convGeometries(): ConvGeometry[] {
  const geometries: ConvGeometry[] = [];
  let index = 0;
  for (const shape of inputShapes) {
    for (const filter of filterSizes) {
      for (const strides of strideChoices) {
        for (const pad of padChoices) {
          index++;
          // Explicit padding only on a third of the cases keeps the suite quick.
          if (Array.isArray(pad) && index % 3 !== 0) continue;
          const padded = Array.isArray(pad) ? [pad[1]![0]! + pad[1]![1]!, pad[2]![0]! + pad[2]![1]!] : [0, 0];
          if (pad !== 'same' && (shape[1] + padded[0]! < filter[0] || shape[2] + padded[1]! < filter[1])) continue;
          const label = `x${shape.join('x')} k${filter.join('x')} s${strides.join('x')} ${JSON.stringify(pad)}`;
          geometries.push({ shape, filter, strides, pad, label });
        }
      }
    }
  }
  return geometries;
}

function outputSize(
  shape: number[],
  filter: [number, number],
  strides: [number, number],
  pad: string | number[][],
  dilations: [number, number] = [1, 1],
) {
  const info = tf.backend_util.computeConv2DInfo(
    shape as [number, number, number, number],
    [filter[0], filter[1], shape[3]!, 1],
    strides,
    dilations,
    pad as 'same',
  );
  return [info.outHeight, info.outWidth];
}

/** Maps a [KH, KW, C, M] filter to its dilated equivalent [(KH-1)dh+1, (KW-1)dw+1, C, M] and back. */
function expandFilter(filterShape: number[], dilations: [number, number]) {
  const [kh, kw, c, m] = filterShape as [number, number, number, number];
  const shape = [(kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1, c, m];
  const tap = c * m;
  const expandedOffset = (row: number, col: number) => (row * dilations[0] * shape[1]! + col * dilations[1]) * tap;
  return {
    shape,
    scatter(values: Float32Array): Float32Array {
      const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let row = 0; row < kh; row++) {
        for (let col = 0; col < kw; col++) {
          out.set(values.subarray((row * kw + col) * tap, (row * kw + col + 1) * tap), expandedOffset(row, col));
        }
      }
      return out;
    },
    gather(values: Float32Array): Float32Array {
      const out = new Float32Array(kh * kw * tap);
      for (let row = 0; row < kh; row++) {
        for (let col = 0; col < kw; col++) {
          const from = expandedOffset(row, col);
          out.set(values.subarray(from, from + tap), (row * kw + col) * tap);
        }
      }
      return out;
    },
  };
}

before(async () => {
  const info = await initEngine({ backend: 'wasm' });
  assert.equal(info.backend, 'wasm');
});

test("forward convolutions match the cpu backend, 'same' padding with any filter and stride included", async () => {
  const cases: KernelCase[] = [];
  convGeometries().forEach(({ shape, filter, strides, pad, label }, i) => {
    const outChannels = 2 + (i % 3);
    const multiplier = 1 + (i % 3);
    const x = input(shape, 11 * i + 1);
    const common = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1] };
    const convFilter = input([filter[0], filter[1], shape[3]!, outChannels], 11 * i + 2);
    const depthwiseFilter = input([filter[0], filter[1], shape[3]!, multiplier], 11 * i + 3);
    cases.push(
      { label: `conv ${label}`, kernel: 'Conv2D', inputs: { x, filter: convFilter }, attrs: common },
      { label: `fused conv ${label}`, kernel: 'FusedConv2D', inputs: { x, filter: convFilter, bias: input([outChannels], 11 * i + 4) }, attrs: { ...common, activation: 'relu' } },
      { label: `depthwise ${label}`, kernel: 'DepthwiseConv2dNative', inputs: { x, filter: depthwiseFilter }, attrs: common },
      {
        label: `fused depthwise ${label}`,
        kernel: 'FusedDepthwiseConv2D',
        inputs: { x, filter: depthwiseFilter, bias: input([shape[3]! * multiplier], 11 * i + 5) },
        attrs: { ...common, activation: 'linear' },
      },
    );
  });
  assert.ok(cases.length > 400, `expected many cases, built ${cases.length}`);
  assert.deepEqual(await compareWithCpu(cases), []);
});

test('Conv2DBackpropInput and Conv2DBackpropFilter match the cpu backend', async () => {
  const cases: KernelCase[] = [];
  convGeometries().forEach(({ shape, filter, strides, pad, label }, i) => {
    const outChannels = 2 + (i % 4);
    const [outHeight, outWidth] = outputSize(shape, filter, strides, pad);
    const filterShape = [filter[0], filter[1], shape[3], outChannels];
    const dy = input([shape[0], outHeight!, outWidth!, outChannels], 7 * i + 1);
    const common = { strides, pad, dataFormat: 'NHWC' };
    cases.push({
      label: `input-grad ${label}`,
      kernel: 'Conv2DBackpropInput',
      inputs: { dy, filter: input(filterShape, 7 * i + 2) },
      attrs: { ...common, inputShape: shape },
    });
    cases.push({
      label: `filter-grad ${label}`,
      kernel: 'Conv2DBackpropFilter',
      inputs: { x: input(shape, 7 * i + 3), dy },
      attrs: { ...common, filterShape },
    });
  });
  assert.ok(cases.length > 200, `expected many cases, built ${cases.length}`);
  assert.deepEqual(await compareWithCpu(cases), []);
});

test('depthwise input and filter gradients match the cpu backend (multipliers 1-3, dilation)', async () => {
  const cases: KernelCase[] = [];
  const geometries = [
    ...convGeometries().map((g) => ({ ...g, dilations: [1, 1] as [number, number] })),
    // Dilated depthwise convolutions (tfjs allows dilation only with unit strides).
    ...[[2, 2], [2, 1], [3, 2]].flatMap((dilations) =>
      (['same', 'valid'] as const).map((pad) => ({
        shape: [2, 11, 10, 3] as [number, number, number, number],
        filter: [3, 2] as [number, number],
        strides: [1, 1] as [number, number],
        pad,
        dilations: dilations as [number, number],
        label: `x2x11x10x3 k3x2 d${dilations.join('x')} ${pad}`,
      })),
    ),
  ];
  geometries.forEach(({ shape, filter, strides, pad, dilations, label }, i) => {
    const multiplier = 1 + (i % 3);
    const [outHeight, outWidth] = outputSize(shape, filter, strides, pad, dilations);
    const filterShape = [filter[0], filter[1], shape[3], multiplier];
    const dy = input([shape[0], outHeight!, outWidth!, shape[3] * multiplier], 11 * i + 1);
    const filterValues = input(filterShape, 11 * i + 2);
    const x = input(shape, 11 * i + 3);
    const common = { strides, pad, dilations };
    const dilated = dilations[0] > 1 || dilations[1] > 1;
    // tfjs's cpu backprop kernels ignore dilation, so the reference for a dilated case is the
    // undilated convolution with the equivalent zero-expanded filter.
    const expanded = expandFilter(filterShape, dilations);
    cases.push({
      label: `depthwise input-grad m${multiplier} ${label}`,
      kernel: 'DepthwiseConv2dNativeBackpropInput',
      inputs: { dy, filter: filterValues },
      attrs: { ...common, inputShape: shape },
      cpuReference: dilated
        ? () =>
            runCase({
              label,
              kernel: 'DepthwiseConv2dNativeBackpropInput',
              inputs: { dy, filter: { shape: expanded.shape, values: expanded.scatter(filterValues.values) } },
              attrs: { strides, pad, dilations: [1, 1], inputShape: shape },
            })
        : undefined,
    });
    cases.push({
      label: `depthwise filter-grad m${multiplier} ${label}`,
      kernel: 'DepthwiseConv2dNativeBackpropFilter',
      inputs: { x, dy },
      attrs: { ...common, filterShape },
      cpuReference: dilated
        ? () =>
            expanded.gather(
              runCase({
                label,
                kernel: 'DepthwiseConv2dNativeBackpropFilter',
                inputs: { x, dy },
                attrs: { strides, pad, dilations: [1, 1], filterShape: expanded.shape },
              }),
            )
        : undefined,
    });
  });
  assert.ok(cases.length > 200, `expected many cases, built ${cases.length}`);
  assert.deepEqual(await compareWithCpu(cases), []);
});

test('Tile, Sum/Mean, BatchMatMul, broadcasting binary ops, Identity and Cast overrides match the cpu backend', async () => {
  const cases: KernelCase[] = [];
  const tileCases: [number[], number[]][] = [
    [[1, 1, 1, 5], [3, 4, 2, 1]],
    [[2, 3], [2, 3]],
    [[4], [3]],
    [[2, 1, 3], [1, 5, 2]],
    [[3, 2, 2, 2], [1, 1, 1, 1]],
    [[1, 2, 1, 3, 1], [2, 1, 3, 1, 2]],
  ];
  tileCases.forEach(([shape, reps], i) =>
    cases.push({ label: `tile ${shape} by ${reps}`, kernel: 'Tile', inputs: { x: input(shape, 100 + i) }, attrs: { reps } }),
  );
  const reductions: [number[], number | number[]][] = [
    [[4, 5, 6, 3], [0, 1, 2]],
    [[4, 5, 6, 3], [2, 1, 0]],
    [[4, 5, 6, 3], 0],
    [[7, 3], [0, 1]],
    [[4, 5, 6, 3], [1, 2]],
    [[4, 5, 6, 3], [2, 1]],
    [[3, 1, 1, 4], [1, 2]],
    [[4, 5, 6, 3], [3]],
    [[4, 5, 6, 3], [0, 2]],
  ];
  reductions.forEach(([shape, axis], i) => {
    for (const kernel of ['Sum', 'Mean']) {
      for (const keepDims of [false, true]) {
        cases.push({
          label: `${kernel} ${shape} over ${axis} keepDims=${keepDims}`,
          kernel,
          inputs: { x: input(shape, 200 + i) },
          attrs: { axis, keepDims },
        });
      }
    }
  });
  const products: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[1, 33, 17], [1, 17, 9], false, false],
    [[3, 4, 6], [3, 6, 2], false, false],
    [[3, 6, 4], [3, 2, 6], true, true],
    [[2, 4, 6], [1, 6, 5], false, false],
  ];
  products.forEach(([aShape, bShape, transposeA, transposeB], i) =>
    cases.push({
      label: `matMul ${aShape}${transposeA ? 'T' : ''} x ${bShape}${transposeB ? 'T' : ''}`,
      kernel: 'BatchMatMul',
      inputs: { a: input(aShape, 300 + i), b: input(bShape, 400 + i) },
      attrs: { transposeA, transposeB },
    }),
  );
  const broadcasts: [number[], number[]][] = [
    [[1, 1, 1, 5], [3, 4, 2, 5]],
    [[3, 4, 2, 5], [5]],
    [[3, 4, 2, 5], [2, 5]],
    [[2, 5], [1, 1, 2, 5]],
    [[3, 4], [3, 4]],
    [[3, 1], [3, 4]],
    [[1], [3, 4]],
  ];
  broadcasts.forEach(([aShape, bShape], i) => {
    for (const kernel of ['Add', 'Sub', 'Multiply', 'RealDiv']) {
      cases.push({
        label: `${kernel} ${aShape} with ${bShape}`,
        kernel,
        inputs: { a: input(aShape, 500 + i), b: input(bShape, 600 + i) },
        attrs: {},
      });
    }
  });
  cases.push({ label: 'Identity', kernel: 'Identity', inputs: { x: input([3, 4, 5], 700) }, attrs: {} });
  cases.push({ label: 'Cast to float32', kernel: 'Cast', inputs: { x: input([3, 4, 5], 701) }, attrs: { dtype: 'float32' } });
  cases.push({ label: 'Cast to int32', kernel: 'Cast', inputs: { x: input([3, 4, 5], 702) }, attrs: { dtype: 'int32' } });
  assert.deepEqual(await compareWithCpu(cases), []);
});

test('Conv2DBackpropFilter on image-like and many-pixel inputs (both operand orders, several chunks) matches the cpu backend', async () => {
  // [input shape, filter, strides, outChannels]: one input channel with more output channels than
  // patch values (the SIMD patch products, or the patches as the product's filter when the output
  // channels are not a multiple of 4), and enough pixels for several chunks on all paths, with
  // short and long (copied in runs) patch rows.
  const shapes: [[number, number, number, number], [number, number], [number, number], number][] = [
    [[2, 28, 28, 1], [3, 3], [1, 1], 32],
    [[9, 29, 31, 1], [3, 3], [1, 1], 12],
    [[3, 29, 31, 1], [5, 5], [2, 2], 40],
    [[2, 13, 11, 2], [2, 3], [1, 2], 24],
    [[5, 13, 11, 1], [3, 3], [1, 1], 10],
    [[9, 29, 31, 4], [3, 3], [1, 1], 3],
    [[9, 29, 31, 8], [3, 3], [1, 1], 2],
    [[3, 30, 29, 8], [3, 3], [2, 2], 5],
  ];
  const cases: KernelCase[] = [];
  shapes.forEach(([shape, filter, strides, outChannels], i) => {
    for (const pad of ['same', 'valid']) {
      const [outHeight, outWidth] = outputSize(shape, filter, strides, pad);
      cases.push({
        label: `filter-grad x${shape.join('x')} k${filter.join('x')} s${strides.join('x')} o${outChannels} ${pad}`,
        kernel: 'Conv2DBackpropFilter',
        inputs: { x: input(shape, 900 + i), dy: input([shape[0], outHeight!, outWidth!, outChannels], 950 + i) },
        attrs: { strides, pad, dataFormat: 'NHWC', filterShape: [filter[0], filter[1], shape[3], outChannels] },
      });
    }
  });
  assert.deepEqual(await compareWithCpu(cases), []);
});
