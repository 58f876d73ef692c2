import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/index.ts';
await initEngine({ backend: 'wasm', threads: Number(process.env.T ?? 1) });
function time(label: string, f: () => tf.Tensor, reps = 5) {
  f().dispose();
  const c = process.cpuUsage();
  for (let i = 0; i < reps; i++) { const y = f(); y.dataSync(); y.dispose(); }
  const cu = process.cpuUsage(c);
  console.log(label.padEnd(46), ((cu.user + cu.system) / 1000 / reps).toFixed(1).padStart(6), 'ms cpu');
}
const dy = tf.randomNormal([128, 28, 28, 32]) as tf.Tensor4D; const f = tf.randomNormal([3, 3, 32, 1]) as tf.Tensor4D;
for (let r = 0; r < 2; r++) {
time('conv N=1', () => tf.conv2d(dy, f, 1, 'same'));
time('depthwise + sum', () => tf.tidy(() => tf.sum(tf.depthwiseConv2d(dy, f, 1, 'same'), -1)));
const f3 = tf.randomNormal([3, 3, 32, 3]) as tf.Tensor4D;
time('conv N=3', () => tf.conv2d(dy, f3, 1, 'same'));
const x = tf.randomNormal([128, 28, 28, 32]);
time('depthToSpace 4x [.,14,14,32] concat', () => tf.tidy(() => tf.depthToSpace(tf.concat([x.slice([0,0,0,0],[128,14,14,32]), x.slice([0,14,0,0],[128,14,14,32]), x.slice([0,0,14,0],[128,14,14,32]), x.slice([0,14,14,0],[128,14,14,32])], 3) as tf.Tensor4D, 2)));
const c4 = tf.randomNormal([128, 14, 14, 128]) as tf.Tensor4D;
time('depthToSpace alone', () => tf.depthToSpace(c4, 2));
time('concat alone', () => tf.concat([c4.slice([0,0,0,0],[128,14,14,32]), c4.slice([0,0,0,32],[128,14,14,32])], 3));
}
