import * as tf from '@tensorflow/tfjs';
import { getKernel } from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/index.ts';
import { runOriginal } from '../src/engine/wasm-kernels/toolkit.ts';
await initEngine({ backend: 'wasm', threads: Number(process.env.T ?? 1) });
function time(label: string, f: () => tf.Tensor, reps = 4) {
  f().dispose();
  const c = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < reps; i++) { const y = f(); y.dataSync(); y.dispose(); }
  const cu = process.cpuUsage(c);
  console.log(label.padEnd(46), ((cu.user + cu.system) / 1000 / reps).toFixed(1).padStart(6), 'ms cpu', ((performance.now() - t) / reps).toFixed(1).padStart(6), 'ms wall');
}
const be = tf.backend() as any;
function origMatMul(a: tf.Tensor, b: tf.Tensor) {
  const info = runOriginal(be, 'BatchMatMul', { a: a as any, b: b as any }, { transposeA: false, transposeB: false });
  return tf.engine().makeTensorFromTensorInfo(info);
}
for (const [M, P, N] of [[9, 100352, 32], [288, 25088, 64], [576, 6272, 128]]) {
  const a = tf.randomNormal([1, 1, M, P]) as tf.Tensor4D; const b = tf.randomNormal([1, 1, P, N]) as tf.Tensor4D;
  time(`${M}x${P}x${N} conv1x1 cached filter`, () => tf.conv2d(a, b, 1, 'valid'));
  time(`${M}x${P}x${N} conv1x1 fresh filter`, () => tf.tidy(() => tf.conv2d(a, tf.add(b, 0) as tf.Tensor4D, 1, 'valid')));
  time(`${M}x${P}x${N} fresh add alone`, () => tf.add(b, 0));
  time(`${M}x${P}x${N} orig FC fresh b`, () => tf.tidy(() => origMatMul(a.reshape([1, M, P]), tf.add(b, 0).reshape([1, P, N]))));
}
