import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { cropSpatial, release, runOriginal, transpose } from './toolkit.ts';

/**
 * Filter gradient of an NHWC convolution (missing from the wasm backend), as one XNNPACK
 * convolution: dW[kh, kw, i, o] = sum_{n, y, x} x[n, y*s + kh - pad, x*s + kw - pad, i] * dy[n, y, x, o]
 * is a convolution of x with input channels as the batch and the batch as channels, by dy used as
 * the filter (batch as its input channels) dilated by the forward stride.
 */
function conv2dBackpropFilter(args: {
  inputs: { x?: TensorInfo; dy?: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x!;
  const dy = args.inputs.dy!;
  if (attrs.dataFormat === 'NCHW') {
    throw new Error('wasm Conv2DBackpropFilter supports dataFormat NHWC only; build the model channels-last.');
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  // Padding after x that makes the dilated-dy convolution produce exactly filterHeight rows;
  // negative when the forward pass never read x's last rows (valid padding, uneven sizes).
  const padBottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - info.padInfo.top;
  const padRight = filterWidth + (outWidth - 1) * strideWidth - inWidth - info.padInfo.left;
  const usedX = cropSpatial(
    backend,
    x,
    0,
    0,
    inHeight + Math.min(0, padBottom),
    inWidth + Math.min(0, padRight),
  );
  const channelsAsBatch = transpose(backend, usedX, [3, 1, 2, 0]);
  release(backend, usedX);
  const dyAsFilter = transpose(backend, dy, [1, 2, 0, 3]);
  const gradient = runOriginal(
    backend,
    'Conv2D',
    { x: channelsAsBatch, filter: dyAsFilter },
    {
      strides: [1, 1],
      dilations: [strideHeight, strideWidth],
      pad: [
        [0, 0],
        [info.padInfo.top, Math.max(0, padBottom)],
        [info.padInfo.left, Math.max(0, padRight)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
  release(backend, channelsAsBatch, dyAsFilter);
  const filterGradient = transpose(backend, gradient, [1, 2, 0, 3]);
  release(backend, gradient);
  return filterGradient;
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
