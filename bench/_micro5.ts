import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/index.ts';
await initEngine({ backend: 'wasm', threads: Number(process.env.T ?? 1) });
function time(label: string, f: () => tf.Tensor, reps = 4) {
  f().dispose();
  const c = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < reps; i++) { const y = f(); y.dataSync(); y.dispose(); }
  const cu = process.cpuUsage(c);
  console.log(label.padEnd(46), ((cu.user + cu.system) / 1000 / reps).toFixed(1).padStart(6), 'ms cpu', ((performance.now() - t) / reps).toFixed(1).padStart(6), 'ms wall');
}
for (const [M, P, N] of [[288, 25088, 64], [576, 6272, 128]]) {
  const a = tf.randomNormal([1, 1, M, P]) as tf.Tensor4D; const b = tf.randomNormal([1, 1, P, N]) as tf.Tensor4D;
  time(`${M}x${P}x${N} whole`, () => tf.conv2d(a, b, 1, 'valid'));
  for (const K of [512, 1024, 2048, 4096]) {
    const chunks = Math.ceil(P / K);
    const as = Array.from({ length: chunks }, (_, c) => tf.randomNormal([1, 1, M, Math.min(K, P - c * K)]) as tf.Tensor4D);
    const bs = Array.from({ length: chunks }, (_, c) => tf.randomNormal([1, 1, Math.min(K, P - c * K), N]) as tf.Tensor4D);
    time(`${M}x${P}x${N} chunks of ${K}`, () => tf.tidy(() => tf.addN(as.map((ac, c) => tf.conv2d(ac, bs[c]!, 1, 'valid')))));
  }
}
