import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { ReluGrad, registerReluGradient } from './wasm-kernels/relu-gradient.ts';

/**
 * Training kernels for the native engines ('tensorflow' backend of tfjs-node(-gpu)), each one
 * TensorFlow op where tfjs composes many: every eager op is a trip from JS through the binding,
 * and tfjs's own compositions make a full pass over memory per op.
 *
 * - Batch-norm training (src/models/batch-norm.ts): TensorFlow's FusedBatchNormV3 forward and
 *   FusedBatchNormGradV3 backward, as Keras runs it, instead of ~30 ops per layer.
 * - ReLU's input gradient: TensorFlow's ReluGrad instead of tfjs's dy * step(x), whose Step is
 *   five ops on this backend (IsNan, Greater, Fill, two Selects).
 */

/** [x [.., C], scale [C], offset [C]] -> [y, batchMean [C], batchVariance [C] (biased), ...saved]. */
export const NativeBatchNormTraining = 'MorphSweepNativeBatchNormTraining';
/** [dy, x, scale, ...saved] -> [dx, dScale, dOffset]. */
export const NativeBatchNormTrainingGrad = 'MorphSweepNativeBatchNormTrainingGrad';

interface NativeBinding {
  TF_ATTR_FLOAT: number;
  TF_ATTR_STRING: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
  TF_FLOAT: number;
}
interface NodeBackend {
  binding: NativeBinding;
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: TensorInfo[], outputs: number): tf.Tensor[];
  executeSingleOutput(name: string, attrs: unknown[], inputs: TensorInfo[]): tf.Tensor;
}

/** FusedBatchNormV3 takes 4-D NHWC input: any [.., C] tensor is viewed as [1, rows, 1, C]. */
function asNhwc(x: TensorInfo): tf.Tensor4D {
  const channels = x.shape[x.shape.length - 1]!;
  return tf.reshape(x as tf.Tensor, [1, tf.util.sizeFromShape(x.shape) / channels, 1, channels]);
}

function batchNormAttrs(binding: NativeBinding, epsilon: number, extra: unknown[] = []): unknown[] {
  return [
    { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'U', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'epsilon', type: binding.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: binding.TF_ATTR_BOOL, value: true },
    ...extra,
  ];
}

const batchNormTrainingConfig: KernelConfig = {
  kernelName: NativeBatchNormTraining,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, scale, offset } = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
    const { epsilon } = attrs as unknown as { epsilon: number };
    const native = backend as unknown as NodeBackend;
    return tf.tidy(() => {
      const empty = tf.tensor1d([], 'float32');
      const factor = { name: 'exponential_avg_factor', type: native.binding.TF_ATTR_FLOAT, value: 1 };
      const [y, mean, unbiasedVariance, ...saved] = native.executeMultipleOutputs(
        'FusedBatchNormV3',
        batchNormAttrs(native.binding, epsilon, [factor]),
        [asNhwc(x), scale, offset, empty, empty],
        6,
      );
      // TensorFlow returns the Bessel-corrected variance (Keras's moving statistics); tfjs-layers
      // averages the biased one.
      const rows = tf.util.sizeFromShape(x.shape) / x.shape[x.shape.length - 1]!;
      const variance = rows > 1 ? tf.mul(unbiasedVariance!, (rows - 1) / rows) : unbiasedVariance!;
      return [tf.reshape(y!, x.shape), mean!, variance, ...saved];
    }) as unknown as TensorInfo[];
  },
};

const batchNormTrainingGradConfig: KernelConfig = {
  kernelName: NativeBatchNormTrainingGrad,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, x, scale, saved0, saved1, saved2 } = inputs as Record<string, TensorInfo>;
    const { epsilon } = attrs as unknown as { epsilon: number };
    const native = backend as unknown as NodeBackend;
    return tf.tidy(() => {
      const [dx, dScale, dOffset] = native.executeMultipleOutputs(
        'FusedBatchNormGradV3',
        batchNormAttrs(native.binding, epsilon),
        [asNhwc(dy!), asNhwc(x!), scale!, saved0!, saved1!, saved2!],
        5,
      );
      return [tf.reshape(dx!, x!.shape), dScale!, dOffset!];
    }) as unknown as TensorInfo[];
  },
};

const reluGradConfig: KernelConfig = {
  kernelName: ReluGrad,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend }) => {
    const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
    const native = backend as unknown as NodeBackend;
    const attrs = [{ name: 'T', type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT }];
    return native.executeSingleOutput('ReluGrad', attrs, [dy, x]) as unknown as TensorInfo;
  },
};

let registered = false;

/** Registers the kernels above; safe to call again. */
export function registerNativeKernels(): void {
  if (registered) return;
  for (const config of [batchNormTrainingConfig, batchNormTrainingGradConfig, reluGradConfig]) tf.registerKernel(config);
  registerReluGradient();
  registered = true;
}
