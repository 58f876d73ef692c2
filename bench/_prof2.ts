import * as tf from '@tensorflow/tfjs';
import { getKernelsForBackend } from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/index.ts';
import { buildReferenceCnn } from '../src/models/reference-cnn.ts';
await initEngine({ backend: 'wasm', threads: Number(process.env.T ?? 1) });
const totals = new Map<string, { us: number; n: number }>();
const stack: number[] = [];
const now = () => { const c = process.cpuUsage(); return c.user + c.system; };
const useWall = process.env.WALL === '1';
const clock = () => useWall ? performance.now() * 1000 : now();
for (const k of getKernelsForBackend('wasm')) {
  const f = k.kernelFunc;
  (k as any).kernelFunc = (args: any) => {
    const key = k.kernelName + ' ' + JSON.stringify(Object.values(args.inputs).map((t: any) => t?.shape));
    stack.push(0);
    const t = clock();
    const out = f(args);
    const total = clock() - t;
    const child = stack.pop()!;
    if (stack.length) stack[stack.length - 1] += total;
    const e = totals.get(key) ?? { us: 0, n: 0 }; e.us += total - child; e.n++; totals.set(key, e);
    return out;
  };
}
const model = buildReferenceCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
const optimizer = tf.train.adam(1e-3);
const images = tf.randomNormal([128, 28, 28, 1]);
const labels = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32'), 10);
const step = () => { const l = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor) as tf.Scalar, true); l!.dataSync(); l!.dispose(); };
step(); step(); totals.clear();
const steps = 3;
const t0 = performance.now(); const c0 = now();
for (let i = 0; i < steps; i++) step();
console.log('step wall ms', ((performance.now() - t0) / steps).toFixed(0), 'cpu ms', ((now() - c0) / 1000 / steps).toFixed(0));
let sum = 0; for (const v of totals.values()) sum += v.us;
console.log('kernel total ms/step', (sum / 1000 / steps).toFixed(0));
const byName = new Map<string, number>(); for (const [k, v] of totals) { const n = k.split(" ")[0]!; byName.set(n, (byName.get(n) ?? 0) + v.us); }
console.log([...byName].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([n, us]) => `${n} ${(us / 1000 / steps).toFixed(0)}`).join(" | "));
const sorted = [...totals.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, 28);
for (const [k, v] of sorted) console.log((v.us / 1000 / steps).toFixed(1).padStart(8), (v.n / steps).toFixed(0).padStart(3), k.slice(0, 140));
