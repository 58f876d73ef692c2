import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/index.ts';
await initEngine({ backend: 'wasm', threads: Number(process.env.T ?? 1) });
export function time(label: string, f: () => tf.Tensor, reps = 5) {
  f().dispose();
  const t = performance.now(); const c = process.cpuUsage();
  for (let i = 0; i < reps; i++) { const y = f(); y.dataSync(); y.dispose(); }
  const cu = process.cpuUsage(c);
  console.log(label.padEnd(50), ((performance.now() - t) / reps).toFixed(1), 'ms wall', ((cu.user + cu.system) / 1000 / reps).toFixed(1), 'ms cpu');
}
const big = tf.randomNormal([128, 28, 28, 32]);
time('sum [0,1,2] 128x28x28x32', () => tf.sum(big, [0, 1, 2]));
time('mean [0,1,2] 128x28x28x32', () => tf.mean(big, [0, 1, 2]));
time('tile [1,1,1,32]', () => tf.tile(tf.ones([1, 1, 1, 32]), [128, 28, 28, 1]));
time('mul broadcast', () => tf.mul(big, tf.ones([1, 1, 1, 32])));
time('mul same', () => tf.mul(big, big));
time('add same', () => tf.add(big, big));
time('relu', () => tf.relu(big));
const t0 = performance.now(); const v = big.dataSync() as Float32Array; let s = 0; for (let i = 0; i < v.length; i++) s += v[i]!; console.log('plain js sum', (performance.now() - t0).toFixed(1), s > 0);
