import * as tf from '@tensorflow/tfjs';

/**
 * A 2-D convolution whose training step computes its input's gradient only when something needs it.
 *
 * Why: tfjs-layers runs every Conv2D through tf.fused.conv2d, whose custom gradient computes the
 * input and filter gradients together, eagerly. A network's first convolution takes the images,
 * which need no gradient: the reference CNN spent 9 ms of a 340 ms step (wasm, 2 threads) on it.
 * Without a bias and a fused activation (every convolution of the seed networks: batch norm
 * follows), this layer calls tf.conv2d instead, whose registered gradient gives each input its
 * own function, and the tape calls only those on a path to a trained weight. Weights, config,
 * outputs and class name are tfjs-layers' own; other configurations run tfjs-layers' code.
 */

export type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];
type TfjsConv2D = ReturnType<typeof tf.layers.conv2d>;
type TfjsConv2DClass = (new (args: Conv2DArgs) => TfjsConv2D) & Pick<typeof tf.layers.Layer, 'fromConfig'>;
type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

/** tfjs-layers' private fields that the call reads (declared private or protected in its typings). */
interface Conv2DFields {
  kernel: LayerVariable;
  bias: LayerVariable | null;
  activation: { getClassName(): string };
  strides: [number, number];
  padding: 'valid' | 'same' | 'causal';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: number | [number, number];
}

/** tfjs-layers' class from the serialization map (as in batch-norm.ts: tf.layers does not export it). */
function tfjsConv2DClass(): TfjsConv2DClass {
  const registered = tf.serialization.SerializationMap.getMap().classNameMap.Conv2D?.[0];
  if (registered === undefined) {
    throw new Error("tfjs-layers' Conv2D is not registered; import @tensorflow/tfjs before src/models/conv2d.ts");
  }
  const isOurs = (registered as unknown as { lazyInputGradient?: boolean }).lazyInputGradient === true;
  return (isOurs ? Object.getPrototypeOf(registered) : registered) as TfjsConv2DClass;
}

export class LazyGradientConv2D extends tfjsConv2DClass() {
  /** Same name as tfjs-layers' class: configs and checkpoints stay interchangeable with it. */
  static className = 'Conv2D';
  /** Marks the replacement in the serialization map (see tfjsConv2DClass). */
  static readonly lazyInputGradient = true;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const fields = this as unknown as Conv2DFields;
    const plainConvolution =
      input !== undefined &&
      input.rank === 4 &&
      input.dtype === 'float32' &&
      fields.bias === null &&
      fields.activation.getClassName() === 'linear' &&
      fields.dataFormat === 'channelsLast' &&
      fields.padding !== 'causal';
    if (!plainConvolution) return super.call(inputs, kwargs);
    const padding = fields.padding as 'valid' | 'same';
    return tf.conv2d(input as tf.Tensor4D, fields.kernel.read() as tf.Tensor4D, fields.strides, padding, 'NHWC', fields.dilationRate);
  }
}
tf.serialization.registerClass(LazyGradientConv2D);

/** Drop-in for tf.layers.conv2d. */
export function conv2d(args: Conv2DArgs): LazyGradientConv2D {
  return new LazyGradientConv2D(args);
}
