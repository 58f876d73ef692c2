/**
 * Step time of the reference CNN (batch 128, wasm via initEngine) with and without each MorphNet
 * regularizer, measured side by side in one run (configs interleaved round-robin so machine noise
 * hits them alike). Target: ratio <= 1.10. Ratios use the fastest step of each config (least disturbed
 * by other processes on a shared machine); medians are printed too.
 * Run: node --import tsx bench/regularizer-overhead.ts [steps]
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/index.ts';
import { buildReferenceCnn } from '../src/models/reference-cnn.ts';
import { createNetworkRegularizer, type NetworkRegularizer, type RegularizerAlgorithm } from '../src/morphnet/index.ts';

const BATCH_SIZE = 128;
const WARMUP_STEPS = 2;
const measuredSteps = Number(process.argv[2] ?? 8);

interface Config {
  label: string;
  baseline: string | null;
  model: tf.LayersModel;
  regularizer: NetworkRegularizer | null;
  optimizer: tf.Optimizer;
  stepMs: number[];
}

function makeConfig(label: string, baseline: string | null, gated: boolean, algorithm?: RegularizerAlgorithm): Config {
  const model = buildReferenceCnn({ inputShape: [28, 28, 1], numClasses: 10, gated, seed: 1 });
  const regularizer = algorithm ? createNetworkRegularizer(model, { algorithm, cost: 'flops', threshold: algorithm === 'logistic-sigmoid' ? 0.1 : 0.01 }) : null;
  return { label, baseline, model, regularizer, optimizer: tf.train.momentum(0.01, 0.9), stepMs: [] };
}

function step(config: Config, xs: tf.Tensor, labels: tf.Tensor): void {
  tf.tidy(() => {
    config.optimizer.minimize(() => {
      const logits = config.model.apply(xs, { training: true }) as tf.Tensor;
      const taskLoss = tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      if (!config.regularizer) return taskLoss;
      return tf.add(taskLoss, tf.mul(1e-9, config.regularizer.regularizationTerm())) as tf.Scalar;
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const engine = await initEngine({ backend: 'wasm' });
  const xs = tf.randomNormal([BATCH_SIZE, 28, 28, 1], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.randomUniform([BATCH_SIZE], 0, 10, 'int32', 2), 10);
  const configs = [
    makeConfig('ungated, no regularizer', null, false),
    makeConfig('gamma flops', 'ungated, no regularizer', false, 'gamma'),
    makeConfig('group-lasso flops', 'ungated, no regularizer', false, 'group-lasso'),
    makeConfig('gated, no regularizer', 'ungated, no regularizer', true),
    makeConfig('logistic-sigmoid flops', 'gated, no regularizer', true, 'logistic-sigmoid'),
  ];
  for (let i = 0; i < WARMUP_STEPS + measuredSteps; i++) {
    for (const config of configs) {
      const start = performance.now();
      step(config, xs, labels);
      await tf.ready();
      const elapsed = performance.now() - start;
      if (i >= WARMUP_STEPS) config.stepMs.push(elapsed);
    }
  }
  console.log(`backend ${engine.backend} (${engine.threads} threads, simd ${engine.simd}), batch ${BATCH_SIZE}, ${measuredSteps} steps each`);
  const byLabel = new Map(configs.map((c) => [c.label, c]));
  const fastest = (values: number[]) => Math.min(...values);
  for (const config of configs) {
    const baseline = config.baseline ? (byLabel.get(config.baseline) as Config).stepMs : null;
    const ratio = (stat: (v: number[]) => number) => (baseline ? (stat(config.stepMs) / stat(baseline)).toFixed(3) : '-');
    console.log(
      `  ${config.label.padEnd(26)} fastest ${fastest(config.stepMs).toFixed(1).padStart(8)} ms, median ${median(config.stepMs).toFixed(1).padStart(8)} ms` +
        (baseline ? `; ratio vs ${config.baseline}: ${ratio(fastest)} (fastest), ${ratio(median)} (median)` : ''),
    );
  }
  // The term alone, to show what the ratio is made of.
  for (const config of configs.filter((c) => c.regularizer)) {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      tf.tidy(() => tf.variableGrads(() => (config.regularizer as NetworkRegularizer).regularizationTerm()).value.dataSync());
      times.push(performance.now() - start);
    }
    const baselineMs = median((byLabel.get(config.baseline as string) as Config).stepMs);
    // On a shared machine whole-step ratios swing more than the term costs; this isolates it.
    console.log(
      `  term + its gradient alone (${config.label}): ${median(times).toFixed(2)} ms, ` +
        `ratio (baseline median + term) / baseline median: ${((baselineMs + median(times)) / baselineMs).toFixed(3)}`,
    );
  }
}

await main();
