/**
 * The GPU engine's device check (scripts/gpu-check.sh runs it after `setup --gpu`): proves ops run
 * on the GPU, trains the reference CNN and a short FiGS run on the GPU (tfjs-node-gpu, as auto picks
 * it) and on the CPU (tfjs-node), compares them within float tolerance, and prints ms/step.
 * Each engine runs in a child process (tfjs picks its backend once per process).
 *
 *   node --import tsx bench/gpu-check.ts [--steps 20] [--figs-steps 200]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../src/data/index.ts';
import { describeEngine, initEngine, type BackendName } from '../src/engine/index.ts';
import { buildSeedModel } from '../src/models/index.ts';
import { createNetworkRegularizer } from '../src/morphnet/index.ts';
import { learnStructure } from '../src/train/index.ts';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

interface ChildResult {
  engine: string;
  usingGpu: boolean;
  matmulGflops: number;
  /** Reference CNN, batch 128, Adam: losses of the first steps from one initialization and batch. */
  losses: number[];
  medianMsPerStep: number;
  figs: { finalCost: number; seedCost: number; valAccuracy: number; aliveCounts: Record<string, number>; seconds: number };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
}

async function child(backend: BackendName): Promise<ChildResult> {
  const info = await initEngine({ backend });
  const binding = (tf.backend() as unknown as { binding: { isUsingGpuDevice(): boolean } }).binding;
  // A 4096^2 matmul: ~137 GFLOP, seconds on 2 CPU cores, tens of ms on a GPU.
  const a = tf.randomNormal([4096, 4096], 0, 1, 'float32', 1);
  tf.matMul(a, a).dispose();
  const matmulStart = performance.now();
  const product = tf.matMul(a, a);
  product.dataSync();
  const matmulGflops = (2 * 4096 ** 3) / ((performance.now() - matmulStart) * 1e6);
  tf.dispose([a, product]);

  const steps = argument('--steps', 20);
  const model = buildSeedModel('reference-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const images = tf.randomNormal([128, 28, 28, 1], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32', 2), 10);
  const losses: number[] = [];
  const stepMs: number[] = [];
  for (let step = 0; step < steps + 2; step++) {
    const start = performance.now();
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
    if (step >= 2) stepMs.push(performance.now() - start);
  }

  const figsSteps = argument('--figs-steps', 200);
  const dataset = await loadDataset('synthetic:classes=10,size=28,channels=1,train=2048,test=256,seed=1,noise=0.5', { seed: 0, validationFraction: 0.125 });
  const gated = buildSeedModel('reference-cnn', { inputShape: dataset.inputShape, numClasses: dataset.numClasses, gated: true, seed: 1 });
  const regularizer = createNetworkRegularizer(gated, { algorithm: 'logistic-sigmoid', cost: 'flops' });
  const seedCost = regularizer.cost();
  const figsStart = performance.now();
  const trained = await learnStructure({
    model: gated,
    dataset,
    regularizer,
    strength: 3 / seedCost,
    steps: figsSteps,
    batchSize: 64,
    optimizer: 'momentum',
    learningRate: 0.05,
    seed: 1,
  });
  return {
    engine: describeEngine(info),
    usingGpu: binding.isUsingGpuDevice(),
    matmulGflops,
    losses: losses.slice(0, 5),
    medianMsPerStep: median(stepMs),
    figs: {
      finalCost: trained.finalCost,
      seedCost,
      valAccuracy: trained.valAccuracy ?? Number.NaN,
      aliveCounts: trained.aliveCounts,
      seconds: (performance.now() - figsStart) / 1000,
    },
  };
}

function runChild(env: Record<string, string>): ChildResult {
  const output = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', ...process.argv.slice(2)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...env },
  });
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (line === undefined) throw new Error(`gpu-check child printed no result:\n${output}`);
  return JSON.parse(line.slice('RESULT '.length)) as ChildResult;
}

if (process.argv.includes('--child')) {
  const result = await child((process.env.MORPHSWEEP_BACKEND as BackendName | undefined) || 'auto');
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
} else {
  const gpu = runChild({ MORPHSWEEP_BACKEND: 'auto' });
  const cpu = runChild({ MORPHSWEEP_BACKEND: 'tfjs-node' });
  const problems: string[] = [];
  console.log(`GPU child: ${gpu.engine}`);
  console.log(`CPU child: ${cpu.engine}`);
  if (!gpu.engine.startsWith('engine tfjs-node-gpu') || !gpu.usingGpu) problems.push('auto did not pick tfjs-node-gpu on a GPU');
  console.log(`4096^2 matmul: GPU ${gpu.matmulGflops.toFixed(0)} GFLOP/s, CPU ${cpu.matmulGflops.toFixed(0)} GFLOP/s (${(gpu.matmulGflops / cpu.matmulGflops).toFixed(0)}x)`);
  if (gpu.matmulGflops < 5 * cpu.matmulGflops) problems.push('the matmul is not clearly faster on the GPU: ops may not run there');
  const lossDiff = Math.max(...gpu.losses.map((loss, i) => Math.abs(loss - cpu.losses[i]!) / Math.abs(cpu.losses[i]!)));
  console.log(`reference CNN, first 5 Adam steps: GPU losses ${gpu.losses.map((l) => l.toFixed(5)).join(' ')}; CPU ${cpu.losses.map((l) => l.toFixed(5)).join(' ')}; max relative difference ${lossDiff.toExponential(2)}`);
  if (!(lossDiff < 1e-3)) problems.push('GPU and CPU losses differ beyond 1e-3 relative');
  console.log(`reference CNN step (batch 128, Adam): tfjs-node-gpu ${gpu.medianMsPerStep.toFixed(1)} ms/step (median); tfjs-node on the CPU ${cpu.medianMsPerStep.toFixed(1)} ms/step`);
  for (const [label, result] of [['GPU', gpu], ['CPU', cpu]] as const) {
    console.log(
      `FiGS x FLOPs, 3/cost0: ${label} cost ${(100 * result.figs.finalCost / result.figs.seedCost).toFixed(1)}% of seed, val accuracy ${(100 * result.figs.valAccuracy).toFixed(1)}%, ` +
        `alive ${JSON.stringify(result.figs.aliveCounts)}, ${result.figs.seconds.toFixed(1)} s`,
    );
  }
  const costGap = Math.abs(gpu.figs.finalCost - cpu.figs.finalCost) / gpu.figs.seedCost;
  const accuracyGap = Math.abs(gpu.figs.valAccuracy - cpu.figs.valAccuracy);
  // Float rounding differs between cuDNN and oneDNN, and gates are hard thresholds: a channel near
  // the threshold may land either side, so the comparison is of the outcome, not of the bits.
  if (costGap > 0.05) problems.push(`FiGS cost differs by ${(100 * costGap).toFixed(1)}% of the seed between GPU and CPU (allowed 5%)`);
  if (accuracyGap > 0.05) problems.push(`FiGS validation accuracy differs by ${(100 * accuracyGap).toFixed(1)} points (allowed 5)`);
  console.log(problems.length === 0 ? 'gpu-check: ok' : `gpu-check: FAILED: ${problems.join('; ')}`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
