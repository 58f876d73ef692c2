import { registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.ts';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter.ts';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input.ts';
import { batchMatMulConfig } from './batch-mat-mul.ts';
import { batchNormTrainingConfigs } from './batch-norm-training.ts';
import { castConfig, identityConfig } from './buffer-sharing.ts';
import { explicitSamePaddingConfigs } from './explicit-same-padding.ts';
import { meanConfig, sumConfig } from './leading-axes-reduction.ts';
import { registerReluGradient, reluGradConfig } from './relu-gradient.ts';
import { rowBroadcastBinaryConfigs } from './row-broadcast-binary.ts';
import { tileConfig } from './tile.ts';
import { captureOriginalKernel } from './toolkit.ts';

/** Kernels the wasm backend lacks; training a conv net fails without them. */
const missingKernels: KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
];

/** Kernels the wasm backend has, replaced because the built-in ones are slow for training. */
const fasterKernels: KernelConfig[] = [
  conv2dBackpropInputConfig,
  batchMatMulConfig,
  tileConfig,
  sumConfig,
  meanConfig,
  identityConfig,
  castConfig,
  ...rowBroadcastBinaryConfigs,
];

/** Kernels the wasm backend has, wrapped because the built-in ones give wrong results on some inputs. */
const correctedKernels: KernelConfig[] = [...explicitSamePaddingConfigs];

/** The originals our kernels are composed from; captured before any of them is overridden. */
const buildingBlocks = ['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D', 'AvgPool', 'Transpose', 'Reshape', 'Fill'];

export const registeredKernelNames = [...missingKernels, ...fasterKernels, ...correctedKernels].map((config) => config.kernelName);

let registered = false;

/**
 * Registers our wasm kernels. Must run before the wasm backend is activated: tfjs calls kernel
 * setup functions only on activation.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  for (const name of buildingBlocks) captureOriginalKernel(name);
  for (const config of missingKernels) registerKernel(config);
  for (const config of [...batchNormTrainingConfigs, reluGradConfig]) registerKernel(config);
  registerReluGradient();
  for (const config of [...fasterKernels, ...correctedKernels]) {
    const original = captureOriginalKernel(config.kernelName);
    unregisterKernel(config.kernelName, 'wasm');
    // The original still binds its C function on activation: ours falls back to it.
    registerKernel({ ...config, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc });
  }
  registered = true;
}
