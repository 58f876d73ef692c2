import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/index.ts';
await initEngine({ backend: 'wasm', threads: Number(process.env.T ?? 1) });
function time(label: string, f: () => tf.Tensor | void, reps = 5) {
  const r = f(); if (r) r.dispose();
  const c = process.cpuUsage();
  for (let i = 0; i < reps; i++) { const y = f(); if (y) { y.dataSync(); y.dispose(); } }
  const cu = process.cpuUsage(c);
  console.log(label.padEnd(50), ((cu.user + cu.system) / 1000 / reps).toFixed(1), 'ms cpu');
}
const P = 100352;
const a = tf.randomNormal([1, 1, 9, P]) as tf.Tensor4D; const b = tf.randomNormal([1, 1, P, 32]) as tf.Tensor4D;
time('conv1 GEMM 9xPx32 as 1x1 conv', () => tf.conv2d(a, b, 1, 'valid'));
const a8 = a.reshape([1, 8, 9, P / 8]); 
const b8 = tf.randomNormal([1,1,P/8,32]) as tf.Tensor4D;
time('one chunk 9x(P/8)x32 (x8 => total)', () => tf.conv2d(a.slice([0,0,0,0],[1,1,9,P/8]) as tf.Tensor4D, b8, 1, 'valid'));
const at = tf.randomNormal([1, 1, 32, P]) as tf.Tensor4D; const bt = tf.randomNormal([1, 1, P, 9]) as tf.Tensor4D;
time('transposed roles 32xPx9', () => tf.conv2d(at, bt, 1, 'valid'));
const x = tf.randomNormal([128, 28, 28, 1]) as tf.Tensor4D; const dy = tf.randomNormal([128, 28, 28, 32]) as tf.Tensor4D;
time('kernel conv1 filter grad', () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 1, 32] }) as tf.Tensor);
const x2 = tf.randomNormal([128, 28, 28, 32]) as tf.Tensor4D; const dy2 = tf.randomNormal([128, 14, 14, 64]) as tf.Tensor4D;
time('kernel conv2 filter grad', () => tf.engine().runKernel('Conv2DBackpropFilter', { x: x2, dy: dy2 }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 32, 64] }) as tf.Tensor);
time('dense matmul 128x128x10 T', () => tf.matMul(tf.randomNormal([128, 128]), tf.randomNormal([128, 10]), true, false));
