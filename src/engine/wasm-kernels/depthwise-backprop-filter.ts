import { backend_util, DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapView, writeFloat32 } from './toolkit.ts';

/**
 * Filter gradient of a depthwise convolution (missing from the wasm backend). Each filter tap is a
 * per-channel dot product over batch and space, which no XNNPACK operator exposed by the backend
 * computes without C-fold waste; depthwise layers carry few multiply-adds, so a direct loop over
 * wasm memory is cheap enough. Accumulates in float64 to stay close to the cpu backend.
 */
function depthwiseBackpropFilter(args: {
  inputs: { x?: TensorInfo; dy?: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x!;
  const dy = args.inputs.dy!;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const multiplier = outChannels / inChannels;
  const xValues = heapView(backend, x);
  const dyValues = heapView(backend, dy);
  const sums = new Float64Array(filterHeight * filterWidth * outChannels);
  for (let n = 0; n < batchSize; n++) {
    for (let y = 0; y < outHeight; y++) {
      for (let kh = 0; kh < filterHeight; kh++) {
        const row = y * strideHeight + kh * dilationHeight - info.padInfo.top;
        if (row < 0 || row >= inHeight) continue;
        for (let xo = 0; xo < outWidth; xo++) {
          const dyStart = ((n * outHeight + y) * outWidth + xo) * outChannels;
          for (let kw = 0; kw < filterWidth; kw++) {
            const col = xo * strideWidth + kw * dilationWidth - info.padInfo.left;
            if (col < 0 || col >= inWidth) continue;
            const xStart = ((n * inHeight + row) * inWidth + col) * inChannels;
            const sumStart = (kh * filterWidth + kw) * outChannels;
            for (let c = 0; c < inChannels; c++) {
              const xValue = xValues[xStart + c]!;
              for (let m = 0; m < multiplier; m++) {
                const channel = c * multiplier + m;
                sums[sumStart + channel] += xValue * dyValues[dyStart + channel]!;
              }
            }
          }
        }
      }
    }
  }
  return writeFloat32(backend, attrs.filterShape, Float32Array.from(sums));
}

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
