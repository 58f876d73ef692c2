/**
 * Training throughput of the reference CNN (28x28x1, batch 128, Adam; 5.72 GFLOP per step) with 1
 * and 2 threads on the native engine (tfjs-node on TensorFlow 2.21), our wasm engine, and the Keras
 * anchor: the same network, batch and optimizer in Keras on the TensorFlow setup installed, one
 * tf.function step (bench/keras-anchor.py). Each configuration runs in its own child process (tfjs
 * picks its backend once per process); the parent prints one table and the ratios from this run.
 *
 *   node --import tsx bench/train-throughput.ts [--steps 20] [--with-cpu]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initEngine, nativeBackendUnavailable } from '../src/engine/index.ts';
import type { BackendName } from '../src/engine/index.ts';
import { buildReferenceCnn } from '../src/models/reference-cnn.ts';

const batchSize = 128;
const imageSize = 28;
const numClasses = 10;
/** Forward multiply-adds of the reference CNN on one image (conv1 + conv2 + conv3 + dense). */
const forwardMacsPerImage = 28 * 28 * 32 * 9 + 14 * 14 * 64 * 9 * 32 + 7 * 7 * 128 * 9 * 64 + 128 * 10;
/** Training: forward + input gradients + weight gradients, 2 FLOPs per multiply-add. */
const trainFlopsPerStep = forwardMacsPerImage * batchSize * 2 * 3;

interface Measurement {
  label: string;
  backend: string;
  threads: number;
  msPerStep: number;
  /** Median of the steps' wall times: robust to another process taking a core for a few steps. */
  medianMsPerStep: number;
  /** CPU time of the whole process (all threads) per step: robust to other load on the machine. */
  cpuMsPerStep: number;
  steps: number;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function measure(backend: BackendName, threads: number, steps: number): Promise<Measurement> {
  const info = await initEngine({ backend, threads });
  const model = buildReferenceCnn({ inputShape: [imageSize, imageSize, 1], numClasses, seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const images = tf.randomNormal([batchSize, imageSize, imageSize, 1], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.randomUniform([batchSize], 0, numClasses, 'int32', 2), numClasses);
  const trainStep = () => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    );
    loss!.dataSync();
    loss!.dispose();
  };
  const warmupSteps = backend === 'cpu' ? 0 : 2;
  for (let i = 0; i < warmupSteps; i++) trainStep();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const stepMs: number[] = [];
  for (let i = 0; i < steps; i++) {
    const stepStart = performance.now();
    trainStep();
    stepMs.push(performance.now() - stepStart);
  }
  const msPerStep = (performance.now() - start) / steps;
  const sortedStepMs = stepMs.sort((a, b) => a - b);
  const medianMsPerStep = (sortedStepMs[Math.floor((steps - 1) / 2)]! + sortedStepMs[Math.ceil((steps - 1) / 2)]!) / 2;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMsPerStep = (cpu.user + cpu.system) / 1000 / steps;

  return { label: '', backend: info.backend, threads: info.threads, msPerStep, medianMsPerStep, cpuMsPerStep, steps };
}

function gflops(flops: number, ms: number): number {
  return flops / ms / 1e6;
}

async function runChild(): Promise<void> {
  const [backend, threads] = argument('--child')!.split(':') as [BackendName, string];
  const steps = Number(argument('--steps') ?? 20);
  const result = await measure(backend, Number(threads), steps);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

function parseResult(output: string, spec: string): Measurement {
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (line === undefined) throw new Error(`Benchmark child '${spec}' printed no result:\n${output}`);
  return JSON.parse(line.slice('RESULT '.length)) as Measurement;
}

function runConfiguration(label: string, spec: string, steps: number): Measurement {
  const childArgs = [...process.execArgv, fileURLToPath(import.meta.url), '--child', spec, '--steps', String(steps)];
  const output = execFileSync(process.execPath, childArgs, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, MORPHSWEEP_BACKEND: '', MORPHSWEEP_THREADS: '', TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  return { ...parseResult(output, spec), label };
}

/** The Keras anchor (bench/keras-anchor.py) on the TensorFlow setup installed. */
function runKeras(threads: number, steps: number): Measurement | string {
  if (!fs.existsSync(kerasPython)) return `no ${kerasPython} (bash scripts/setup.sh installs it)`;
  const output = execFileSync(kerasPython, [kerasScript, '--threads', String(threads), '--steps', String(steps)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { ...parseResult(output, `keras:${threads}`), label: `Keras (tf.function)` };
}

const kerasPython = fileURLToPath(new URL('../.morphsweep/tf-venv/bin/python', import.meta.url));
const kerasScript = fileURLToPath(new URL('./keras-anchor.py', import.meta.url));

function load(): string {
  return os.loadavg()[0]!.toFixed(1);
}

async function runParent(): Promise<void> {
  const steps = Number(argument('--steps') ?? 20);
  const threadCounts = [1, 2];
  const nativeMissing = nativeBackendUnavailable('tfjs-node');
  console.log(`Reference CNN training step: batch ${batchSize}, Adam, ${(trainFlopsPerStep / 1e9).toFixed(2)} GFLOP; median of ${steps} steps`);
  console.log(`Machine: ${os.availableParallelism()} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}; load average ${load()} at start`);
  if (nativeMissing !== undefined) console.log(`tfjs-node: not measured, ${nativeMissing}`);
  const rows: { threads: number; result: Measurement; loadAfter: string }[] = [];
  // Interleaved per thread count, so that a change in the machine's load hits every engine alike.
  for (const threads of threadCounts) {
    const keras = runKeras(threads, steps);
    if (typeof keras === 'string') console.log(`Keras anchor: not measured, ${keras}`);
    else rows.push({ threads, result: keras, loadAfter: load() });
    if (nativeMissing === undefined) rows.push({ threads, result: runConfiguration('tfjs-node', `tfjs-node:${threads}`, steps), loadAfter: load() });
    rows.push({ threads, result: runConfiguration('wasm (ours)', `wasm:${threads}`, steps), loadAfter: load() });
  }
  if (process.argv.includes('--with-cpu')) rows.push({ threads: 1, result: runConfiguration('cpu backend (pure JS)', 'cpu:1', 1), loadAfter: load() });

  const anchor = (threads: number) => rows.find((row) => row.threads === threads && row.result.label.startsWith('Keras'))?.result;
  console.log('');
  console.log('| engine | threads | median ms/step | mean ms/step | CPU ms/step | GFLOP/s (median) | vs Keras (median) | vs Keras (CPU time) | load avg after |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const { threads, result, loadAfter } of rows) {
    const keras = anchor(threads);
    const ratio = (value: number, reference: number | undefined) => (reference === undefined ? '–' : `${(value / reference).toFixed(2)}x`);
    console.log(
      `| ${result.label} | ${threads} | ${result.medianMsPerStep.toFixed(1)} | ${result.msPerStep.toFixed(1)} | ${result.cpuMsPerStep.toFixed(1)} | ` +
        `${gflops(trainFlopsPerStep, result.medianMsPerStep).toFixed(1)} | ${ratio(result.medianMsPerStep, keras?.medianMsPerStep)} | ` +
        `${ratio(result.cpuMsPerStep, keras?.cpuMsPerStep)} | ${loadAfter} |`,
    );
  }
  console.log('');
  for (const threads of threadCounts) {
    const keras = anchor(threads);
    const native = rows.find((row) => row.threads === threads && row.result.label === 'tfjs-node')?.result;
    if (keras === undefined || native === undefined) continue;
    const ratio = native.medianMsPerStep / keras.medianMsPerStep;
    console.log(`Goal tfjs-node within 1.3x of Keras at ${threads} thread(s): ${ratio.toFixed(2)}x by the median step (${ratio <= 1.3 ? 'met' : 'MISSED'}), ${(native.cpuMsPerStep / keras.cpuMsPerStep).toFixed(2)}x by CPU time`);
  }
  console.log(`Wall-clock numbers need an otherwise idle machine (load average now ${load()}); CPU time per step is less sensitive to other load.`);
}

if (argument('--child') !== undefined) await runChild();
else await runParent();
