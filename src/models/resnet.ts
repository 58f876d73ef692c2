import * as tf from '@tensorflow/tfjs';
import { batchNormAndGate, blockContext, classifierHead, conv, relu, scaleWidth, type BlockContext } from './blocks.ts';

export interface ResnetOptions {
  inputShape: [number, number, number];
  numClasses: number;
  widthMultiplier?: number;
  gated?: boolean;
  seed?: number;
}

/** Two 3x3 convs plus a shortcut; a projection (1x1 conv + BN) when the shape changes. */
function residualBlock(x: tf.SymbolicTensor, name: string, filters: number, strides: number, ctx: BlockContext): tf.SymbolicTensor {
  const inputChannels = x.shape[x.shape.length - 1];
  let branch = conv(x, `${name}_conv1`, filters, 3, strides, ctx);
  branch = relu(batchNormAndGate(branch, `${name}_bn1`, ctx), `${name}_relu1`);
  branch = conv(branch, `${name}_conv2`, filters, 3, 1, ctx);
  branch = batchNormAndGate(branch, `${name}_bn2`, ctx);
  let shortcut = x;
  if (strides !== 1 || inputChannels !== filters) {
    shortcut = conv(x, `${name}_proj`, filters, 1, strides, ctx);
    shortcut = batchNormAndGate(shortcut, `${name}_proj_bn`, ctx);
  }
  const sum = tf.layers.add({ name: `${name}_add` }).apply([shortcut, branch]) as tf.SymbolicTensor;
  return relu(sum, `${name}_relu2`);
}

/**
 * A small ResNet: stem conv3x3(16), an identity block at 16 channels, a projection block at 32
 * (stride 2), a projection block at 64 (stride 2), global pool, dense. The residual adds tie
 * channels across blocks, which is what MorphNet's grouping has to get right.
 */
export function buildResnet(options: ResnetOptions): tf.LayersModel {
  const wm = options.widthMultiplier ?? 1;
  const ctx = blockContext(options.seed ?? 0, options.gated ?? false);
  const input = tf.input({ shape: options.inputShape, name: 'input' });
  let x = conv(input, 'stem_conv', scaleWidth(16, wm), 3, 1, ctx);
  x = relu(batchNormAndGate(x, 'stem_bn', ctx), 'stem_relu');
  x = residualBlock(x, 'block1', scaleWidth(16, wm), 1, ctx);
  x = residualBlock(x, 'block2', scaleWidth(32, wm), 2, ctx);
  x = residualBlock(x, 'block3', scaleWidth(64, wm), 2, ctx);
  return tf.model({ inputs: input, outputs: classifierHead(x, options.numClasses, ctx), name: 'resnet' });
}
