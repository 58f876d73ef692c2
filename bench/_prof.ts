import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/index.ts';
import { buildReferenceCnn } from '../src/models/reference-cnn.ts';
await initEngine({ backend: 'wasm', threads: Number(process.env.T ?? 1) });
const model = buildReferenceCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
const optimizer = tf.train.adam(1e-3);
const images = tf.randomNormal([128, 28, 28, 1]);
const labels = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32'), 10);
const step = () => { const l = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor) as tf.Scalar, true); l!.dataSync(); l!.dispose(); };
step(); step();
const totals = new Map<string, { ms: number; n: number }>();
const t0 = performance.now();
const prof = await tf.profile(() => { step(); });
console.log('step ms', (performance.now() - t0).toFixed(0));
for (const k of prof.kernels) {
  const key = k.name + ' ' + JSON.stringify(k.inputShapes);
  const e = totals.get(key) ?? { ms: 0, n: 0 };
  e.ms += k.kernelTimeMs as number; e.n++; totals.set(key, e);
}
const sorted = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30);
for (const [k, v] of sorted) console.log(v.ms.toFixed(1).padStart(8), v.n, k.slice(0, 150));
const t1 = performance.now(); step(); console.log('plain step ms', (performance.now() - t1).toFixed(0));
