import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/index.ts';
await initEngine({ backend: 'wasm', threads: 1 });
function time(label: string, f: () => tf.Tensor, reps = 5) {
  f().dispose();
  const c = process.cpuUsage();
  for (let i = 0; i < reps; i++) { const y = f(); y.dataSync(); y.dispose(); }
  const cu = process.cpuUsage(c);
  console.log(label.padEnd(46), ((cu.user + cu.system) / 1000 / reps).toFixed(1).padStart(6), 'ms cpu');
}
const dy = tf.randomNormal([100352, 32]);
time('transpose 2D 100352x32', () => tf.transpose(dy));
const dyT = tf.randomNormal([1, 1, 32, 100352]) as tf.Tensor4D;
time('GEMM dyT x patches fresh filter', () => tf.tidy(() => tf.conv2d(dyT, tf.add(tf.randomNormal([1,1,100352,9]), 0) as tf.Tensor4D, 1, 'valid')));
time('randomNormal alone', () => tf.tidy(() => tf.add(tf.randomNormal([1,1,100352,9]), 0)));
