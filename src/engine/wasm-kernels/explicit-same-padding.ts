import { backend_util, Conv2D, DepthwiseConv2dNative, FusedConv2D, FusedDepthwiseConv2D } from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runOriginal } from './toolkit.ts';

/**
 * wasm's forward convolutions hand 'same' padding to XNNPACK as its TensorFlow-SAME flag, which
 * computes wrong outputs for many filter/stride combinations: measured against the cpu backend,
 * e.g. a 3x1 filter at stride 2 or a 2x2 filter at stride 3 on a 9x8 input were off by up to 10
 * (square 3x3 filters at strides 1 and 2, what the seed networks use, came out right). The same
 * padding given explicitly, as tfjs itself computes it, is always right: these overrides rewrite
 * 'same' into that and run the original kernel.
 */

interface ConvAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function withExplicitSamePadding(kernelName: string, depthwise: boolean): KernelConfig {
  const kernelFunc = ({ inputs, attrs, backend }: { inputs: NamedTensorInfoMap; attrs: NamedAttrMap; backend: BackendWasm }): TensorInfo => {
    const convAttrs = attrs as unknown as ConvAttrs;
    if (convAttrs.pad !== 'same') return runOriginal(backend, kernelName, inputs, attrs);
    const x = inputs.x!;
    const filter = inputs.filter!;
    const { padInfo } = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      convAttrs.strides,
      convAttrs.dilations ?? 1,
      'same',
      convAttrs.dimRoundingMode,
      depthwise,
    );
    const explicitPad: backend_util.ExplicitPadding = [
      [0, 0],
      [padInfo.top, padInfo.bottom],
      [padInfo.left, padInfo.right],
      [0, 0],
    ];
    return runOriginal(backend, kernelName, inputs, { ...attrs, pad: explicitPad } as unknown as NamedAttrMap);
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}

export const explicitSamePaddingConfigs: KernelConfig[] = [
  withExplicitSamePadding(Conv2D, false),
  withExplicitSamePadding(FusedConv2D, false),
  withExplicitSamePadding(DepthwiseConv2dNative, true),
  withExplicitSamePadding(FusedDepthwiseConv2D, true),
];
