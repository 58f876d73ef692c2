import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/index.ts';
const info = await initEngine({ backend: 'wasm', threads: 2 });
console.log(info);
const b = tf.backend() as any;
console.log('PThread' in b.wasm, b.wasm.PThread?.unusedWorkers?.length, b.wasm.PThread?.runningWorkers?.length, b.wasm.tfjs.getThreadsCount());
const x = tf.randomNormal([128, 28, 28, 32]); const w = tf.randomNormal([3,3,32,64]);
for (let i=0;i<5;i++){ const t=performance.now(); const y = tf.conv2d(x as any, w as any, 1, 'same'); y.dataSync(); console.log('conv ms', (performance.now()-t).toFixed(1)); y.dispose(); }
