/**
 * Memory over a long run on the engine auto picks (tfjs-node where setup built it): a FiGS x FLOPs
 * structure-learning run of the reference CNN (28x28x1 synthetic data, batch 32) through the real
 * training loop, with evaluations and in-memory checkpoints every 1000 steps. Prints the live
 * tensor count and the process RSS as it goes; exits 1 if the tensor count moves after the first
 * 1000 steps, or if RSS in the later half of the run exceeds its minimum in the earlier half by more
 * than --rss-growth-mb (default 64 MB).
 *
 *   node --import tsx bench/native-memory.ts [--steps 10000] [--rss-growth-mb 64]
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../src/data/index.ts';
import { describeEngine, initEngine } from '../src/engine/index.ts';
import { buildSeedModel } from '../src/models/index.ts';
import { createNetworkRegularizer } from '../src/morphnet/index.ts';
import { learnStructure, type CheckpointStore } from '../src/train/index.ts';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const steps = argument('--steps', 10_000);
const allowedRssGrowthMb = argument('--rss-growth-mb', 64);
const reportEvery = Math.max(1, Math.min(1000, Math.floor(steps / 10)));

const engine = await initEngine();
console.log(describeEngine(engine));
const dataset = await loadDataset('synthetic:classes=10,size=28,channels=1,train=2048,test=256,seed=1', { seed: 0, validationFraction: 0.125 });
const model = buildSeedModel('reference-cnn', { inputShape: dataset.inputShape, numClasses: dataset.numClasses, gated: true, seed: 1 });
const regularizer = createNetworkRegularizer(model, { algorithm: 'logistic-sigmoid', cost: 'flops' });
const checkpoint: CheckpointStore = { every: reportEvery, load: async () => null, save: async () => {} };

const samples: { step: number; tensors: number; rssMb: number }[] = [];
const started = performance.now();
console.log('| step | live tensors | RSS MB | ms/step (since last) | load avg |');
console.log('|---|---|---|---|---|');
let lastStep = 0;
let lastTime = started;
await learnStructure({
  model,
  dataset,
  regularizer,
  strength: 1 / regularizer.cost(),
  steps,
  batchSize: 32,
  optimizer: 'momentum',
  learningRate: 0.05,
  evalEvery: reportEvery,
  seed: 1,
  checkpoint,
  onProgress: (progress) => {
    if (progress.step % reportEvery !== 0) return;
    const now = performance.now();
    const sample = { step: progress.step, tensors: tf.memory().numTensors, rssMb: process.memoryUsage().rss / 2 ** 20 };
    samples.push(sample);
    console.log(
      `| ${sample.step} | ${sample.tensors} | ${sample.rssMb.toFixed(0)} | ${((now - lastTime) / (progress.step - lastStep)).toFixed(1)} | ${os.loadavg()[0]!.toFixed(1)} |`,
    );
    lastStep = progress.step;
    lastTime = now;
  },
});
regularizer.dispose();
model.dispose();

const settled = samples.filter((sample) => sample.step >= Math.min(1000, steps / 2));
const tensorCounts = new Set(settled.map((sample) => sample.tensors));
// A leak shows as the later half of the run sitting above the earlier half; the allocator handing
// memory back (RSS falling) is no growth.
const half = Math.ceil(settled.length / 2);
const rssGrowthMb = settled.length > 1 ? Math.max(...settled.slice(half).map((s) => s.rssMb)) - Math.min(...settled.slice(0, half).map((s) => s.rssMb)) : 0;
const rssRange = settled.length > 0 ? `${Math.min(...settled.map((s) => s.rssMb)).toFixed(0)}-${Math.max(...settled.map((s) => s.rssMb)).toFixed(0)} MB` : '-';
const flat = tensorCounts.size <= 1;
const bounded = rssGrowthMb <= allowedRssGrowthMb;
console.log(
  `${steps} steps in ${((performance.now() - started) / 1000).toFixed(0)} s on ${engine.backend}: tensor count ${flat ? 'flat' : `MOVED (${[...tensorCounts].join(', ')})`}, ` +
    `RSS ${rssRange} from step ${settled[0]?.step ?? '-'}, later half vs earlier half +${rssGrowthMb.toFixed(0)} MB (${bounded ? 'bounded' : 'UNBOUNDED'}: allowed ${allowedRssGrowthMb} MB)`,
);
process.exitCode = flat && bounded ? 0 : 1;
