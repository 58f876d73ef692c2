import * as tf from '@tensorflow/tfjs';
import { batchNormAndGate, blockContext, classifierHead, conv, relu, scaleWidth, type BlockContext } from './blocks.ts';

export interface MobilenetOptions {
  inputShape: [number, number, number];
  numClasses: number;
  widthMultiplier?: number;
  gated?: boolean;
  seed?: number;
}

/**
 * Depthwise 3x3 (+BN+ReLU) then pointwise 1x1 (+BN+ReLU). The depthwise BN is not gated: its
 * channels are tied to the gated layer before it, so a second gate would only duplicate it.
 */
function separableBlock(x: tf.SymbolicTensor, name: string, filters: number, strides: number, ctx: BlockContext): tf.SymbolicTensor {
  let y = tf.layers
    .depthwiseConv2d({
      name: `${name}_dw`,
      kernelSize: 3,
      strides,
      padding: 'same',
      useBias: false,
      depthwiseInitializer: tf.initializers.heNormal({ seed: ctx.nextSeed() }),
    })
    .apply(x) as tf.SymbolicTensor;
  y = relu(batchNormAndGate(y, `${name}_dw_bn`, ctx, false), `${name}_dw_relu`);
  y = conv(y, `${name}_pw`, filters, 1, 1, ctx);
  return relu(batchNormAndGate(y, `${name}_pw_bn`, ctx), `${name}_pw_relu`);
}

/** A small MobileNet-v1: stem conv3x3(16, stride 2), three depthwise-separable blocks, pool, dense. */
export function buildMobilenet(options: MobilenetOptions): tf.LayersModel {
  const wm = options.widthMultiplier ?? 1;
  const ctx = blockContext(options.seed ?? 0, options.gated ?? false);
  const input = tf.input({ shape: options.inputShape, name: 'input' });
  let x = conv(input, 'stem_conv', scaleWidth(16, wm), 3, 2, ctx);
  x = relu(batchNormAndGate(x, 'stem_bn', ctx), 'stem_relu');
  x = separableBlock(x, 'sep1', scaleWidth(32, wm), 1, ctx);
  x = separableBlock(x, 'sep2', scaleWidth(64, wm), 2, ctx);
  x = separableBlock(x, 'sep3', scaleWidth(64, wm), 1, ctx);
  return tf.model({ inputs: input, outputs: classifierHead(x, options.numClasses, ctx), name: 'mobilenet' });
}
