import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { planInputGradientAxis } from './conv-geometry.ts';
import type { AxisPhase } from './conv-geometry.ts';
import { phasedInputGradient } from './phased-input-gradient.ts';
import { release, runOriginal, writeFloat32 } from './toolkit.ts';

/**
 * Replaces wasm's Conv2DBackpropInput (a naive scalar loop, ~2.4 GFLOP/s) with XNNPACK
 * convolutions: one stride-1 convolution of dy per output phase, with that phase's taps of the
 * flipped filter, in/out channels swapped.
 */
function conv2dBackpropInput(args: {
  inputs: { dy?: TensorInfo; filter?: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const dy = args.inputs.dy!;
  const filter = args.inputs.filter!;
  if (attrs.dataFormat === 'NCHW') {
    throw new Error('wasm Conv2DBackpropInput supports dataFormat NHWC only; build the model channels-last.');
  }
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const rowPlan = planInputGradientAxis({
    inSize: info.inHeight,
    outSize: info.outHeight,
    filterSize: info.filterHeight,
    stride: info.strideHeight,
    dilation: 1,
    padBefore: info.padInfo.top,
  });
  const colPlan = planInputGradientAxis({
    inSize: info.inWidth,
    outSize: info.outWidth,
    filterSize: info.filterWidth,
    stride: info.strideWidth,
    dilation: 1,
    padBefore: info.padInfo.left,
  });
  const filterValues = backend.readSync(filter.dataId) as Float32Array;
  const { inChannels, outChannels, filterWidth } = info;
  return phasedInputGradient(backend, dy, attrs.inputShape, rowPlan, colPlan, (dyWindow, rowPhase, colPhase, pad) => {
    const dims = { filterWidth, inChannels, outChannels };
    const subFilter = swappedSubFilter(backend, filterValues, rowPhase, colPhase, dims);
    const dilations = [rowPhase.dilation, colPhase.dilation];
    if (inChannels > 1) {
      const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dilations };
      const out = runOriginal(backend, 'Conv2D', { x: dyWindow, filter: subFilter }, attrs);
      release(backend, subFilter);
      return out;
    }
    // One output channel (a first layer's input gradient, which tfjs's fused conv computes even
    // for images) leaves XNNPACK's GEMM 1/8 used; a depthwise pass plus a channel sum is 2x faster.
    const depthwiseAttrs = { strides: [1, 1], pad, dilations };
    const perChannel = runOriginal(backend, 'DepthwiseConv2dNative', { x: dyWindow, filter: subFilter }, depthwiseAttrs);
    release(backend, subFilter);
    const summed = runOriginal(backend, 'Sum', { x: perChannel }, { axis: [3], keepDims: true });
    release(backend, perChannel);
    return summed;
  });
}

/** The phase's taps of filter [KH, KW, Cin, Cout] as a filter [Th, Tw, Cout, Cin]. */
function swappedSubFilter(
  backend: BackendWasm,
  filterValues: Float32Array,
  rowPhase: AxisPhase,
  colPhase: AxisPhase,
  dims: { filterWidth: number; inChannels: number; outChannels: number },
): TensorInfo {
  const { filterWidth, inChannels, outChannels } = dims;
  const tapSize = inChannels * outChannels;
  const values = new Float32Array(rowPhase.taps.length * colPhase.taps.length * tapSize);
  let target = 0;
  for (const row of rowPhase.taps) {
    for (const col of colPhase.taps) {
      const tapStart = (row * filterWidth + col) * tapSize;
      for (let o = 0; o < outChannels; o++) {
        for (let i = 0; i < inChannels; i++) values[target++] = filterValues[tapStart + i * outChannels + o]!;
      }
    }
  }
  return writeFloat32(backend, [rowPhase.taps.length, colPhase.taps.length, outChannels, inChannels], values);
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as KernelConfig['kernelFunc'],
};
