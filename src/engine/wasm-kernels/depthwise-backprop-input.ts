import { backend_util, DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { planInputGradientAxis } from './conv-geometry.ts';
import type { AxisPhase } from './conv-geometry.ts';
import { phasedInputGradient } from './phased-input-gradient.ts';
import { release, reshape, runOriginal, writeFloat32 } from './toolkit.ts';

/**
 * Input gradient of a depthwise convolution (missing from the wasm backend): per output phase,
 * an XNNPACK depthwise convolution of dy (C*M channels, multiplier 1) with that phase's taps of
 * the flipped filter, then a sum over the M outputs that came from each input channel.
 */
function depthwiseBackpropInput(args: {
  inputs: { dy?: TensorInfo; filter?: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const dy = args.inputs.dy!;
  const filter = args.inputs.filter!;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const rowPlan = planInputGradientAxis({
    inSize: info.inHeight,
    outSize: info.outHeight,
    filterSize: info.filterHeight,
    stride: info.strideHeight,
    dilation: info.dilationHeight,
    padBefore: info.padInfo.top,
  });
  const colPlan = planInputGradientAxis({
    inSize: info.inWidth,
    outSize: info.outWidth,
    filterSize: info.filterWidth,
    stride: info.strideWidth,
    dilation: info.dilationWidth,
    padBefore: info.padInfo.left,
  });
  const filterValues = backend.readSync(filter.dataId) as Float32Array;
  const { filterWidth, outChannels } = info;
  const multiplier = outChannels / info.inChannels;
  return phasedInputGradient(backend, dy, attrs.inputShape, rowPlan, colPlan, (dyWindow, rowPhase, colPhase, pad) => {
    const subFilter = flatSubFilter(backend, filterValues, rowPhase, colPhase, { filterWidth, outChannels });
    const perOutputChannel = runOriginal(
      backend,
      'DepthwiseConv2dNative',
      { x: dyWindow, filter: subFilter },
      { strides: [1, 1], pad, dilations: [rowPhase.dilation, colPhase.dilation] },
    );
    release(backend, subFilter);
    if (multiplier === 1) return perOutputChannel;
    const [batch, rows, cols] = perOutputChannel.shape;
    const grouped = reshape(backend, perOutputChannel, [batch!, rows!, cols!, info.inChannels, multiplier]);
    const summed = runOriginal(backend, 'Sum', { x: grouped }, { axis: [4], keepDims: false });
    release(backend, grouped, perOutputChannel);
    return summed;
  });
}

/** The phase's taps of filter [KH, KW, C, M] as a depthwise filter [Th, Tw, C*M, 1]. */
function flatSubFilter(
  backend: BackendWasm,
  filterValues: Float32Array,
  rowPhase: AxisPhase,
  colPhase: AxisPhase,
  dims: { filterWidth: number; outChannels: number },
): TensorInfo {
  const { filterWidth, outChannels } = dims;
  const values = new Float32Array(rowPhase.taps.length * colPhase.taps.length * outChannels);
  let target = 0;
  for (const row of rowPhase.taps) {
    for (const col of colPhase.taps) {
      const tapStart = (row * filterWidth + col) * outChannels;
      values.set(filterValues.subarray(tapStart, tapStart + outChannels), target);
      target += outChannels;
    }
  }
  return writeFloat32(backend, [rowPhase.taps.length, colPhase.taps.length, outChannels, 1], values);
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelConfig['kernelFunc'],
};
