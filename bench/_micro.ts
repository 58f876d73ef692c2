import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/index.ts';
await initEngine({ backend: 'wasm', threads: Number(process.env.T ?? 1) });
function time(label: string, f: () => tf.Tensor, reps = 5) {
  f().dispose();
  const t = performance.now();
  for (let i = 0; i < reps; i++) { const y = f(); y.dataSync(); y.dispose(); }
  console.log(label.padEnd(50), ((performance.now() - t) / reps).toFixed(1), 'ms');
}
const x = tf.randomNormal([128, 14, 14, 64]);
const dy = tf.randomNormal([128, 7, 7, 128]);
time('transpose x [3,1,2,0]', () => tf.transpose(x, [3, 1, 2, 0]));
time('transpose dy [1,2,0,3]', () => tf.transpose(dy, [1, 2, 0, 3]));
const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
time('dilated conv', () => tf.conv2d(xT, dyT, 1, [[0, 0], [0, 1], [0, 1], [0, 0]], 'NHWC', 2));
time('full backprop filter kernel', () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 64, 128] }) as tf.Tensor);
const a = tf.randomNormal([576, 6272]); const b = tf.randomNormal([6272, 128]);
time('matMul 576x6272x128', () => tf.matMul(a, b));
time('1x1 conv as matmul', () => tf.conv2d(a.reshape([1, 1, 576, 6272]) as tf.Tensor4D, b.reshape([1, 1, 6272, 128]) as tf.Tensor4D, 1, 'valid'));
time('forward conv3', () => tf.conv2d(x as tf.Tensor4D, tf.randomNormal([3, 3, 64, 128]) as tf.Tensor4D, 2, 'same'));
const big = tf.randomNormal([128, 28, 28, 32]);
time('sum [0,1,2] 128x28x28x32', () => tf.sum(big, [0, 1, 2]));
time('sum last axis of transposed', () => tf.sum(big.reshape([-1, 32]).transpose(), 1));
time('tile [1,1,1,32]', () => tf.tile(tf.ones([1, 1, 1, 32]), [128, 28, 28, 1]));
