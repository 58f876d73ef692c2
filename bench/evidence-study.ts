/**
 * The recipe study behind docs/recipes.md: does a MorphNet structure beat the uniformly thinned seed
 * network at the same FLOPs? One invocation studies one recipe, in process (no services), with the
 * same pieces the product's evidence loop uses: the target-cost search math to find a strength whose
 * structure lands in the target band, the uniform baseline rule, and Welch's interval.
 *
 *   nice -n 10 node --import tsx bench/evidence-study.ts --label figs-800 [--algorithm logistic-sigmoid]
 *     [--network reference-cnn] [--width 1] [--fraction 0.4] [--tolerance 0.25] [--structure-steps 800]
 *     [--retrain-steps 800] [--batch 64] [--lr 0.05] [--weight-decay 5e-4] [--threshold 0.1] [--seeds 3]
 *     [--data-limit N] [--threads 2] [--expand] [--out bench/results/evidence-study.jsonl]
 *   node --import tsx bench/evidence-study.ts --table [--out ...]     # the markdown table of all records
 *
 * Picks use validation accuracy and cost only; each retrained arm reads the test split once, at its end.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type * as tf from '@tensorflow/tfjs';
import { loadDataset, type Dataset } from '../src/data/index.ts';
import { initEngine } from '../src/engine/index.ts';
import { buildSeedModel, type SeedModelName } from '../src/models/index.ts';
import {
  applyStructure,
  createNetworkRegularizer,
  exportStructure,
  largestWidthMultiplierUnderCost,
  modelCost,
  parseStructure,
  uniformStructureOf,
  type RegularizerAlgorithm,
  type StructureJson,
} from '../src/morphnet/index.ts';
import { summarize, welchInterval } from '../src/sweep/statistics.ts';
import { DEFAULT_SEARCH_LIMITS, nextSearchStep, type Probe } from '../src/sweep/target-search.ts';
import { learnStructure, retrain } from '../src/train/index.ts';

const { values: args } = parseArgs({
  options: {
    label: { type: 'string', default: 'study' },
    network: { type: 'string', default: 'reference-cnn' },
    width: { type: 'string', default: '1' },
    algorithm: { type: 'string', default: 'logistic-sigmoid' },
    threshold: { type: 'string' },
    fraction: { type: 'string', default: '0.4' },
    tolerance: { type: 'string', default: '0.25' },
    'start-strength': { type: 'string', default: '3', description: 'first probe, in units of 1/cost0' },
    'structure-steps': { type: 'string', default: '800' },
    'retrain-steps': { type: 'string', default: '800' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.05' },
    'weight-decay': { type: 'string', default: '5e-4' },
    seeds: { type: 'string', default: '3' },
    'max-probes': { type: 'string', default: '5' },
    'data-limit': { type: 'string' },
    threads: { type: 'string', default: '2' },
    expand: { type: 'boolean', default: false },
    table: { type: 'boolean', default: false },
    // Retrain one arm of a known structure (parallel processes share the work; see bench/evidence-arms.sh).
    widths: { type: 'string', description: 'alive widths of the reference CNN structure, e.g. 12-40-128' },
    arm: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string', default: 'bench/results/evidence-study.jsonl' },
  },
});

interface ArmResult {
  arm: string;
  widths: number[];
  flops: number;
  widthMultiplier: number;
  testAccuracies: number[];
  valAccuracies: number[];
}

interface StudyRecord {
  label: string;
  recipe: Record<string, unknown>;
  seedFlops: number;
  probes: Array<Probe & { strengthOverCost0: number; fraction: number; widths: number[] }>;
  chosen: { strengthOverCost0: number; fraction: number } | null;
  arms: ArmResult[];
  seconds: number;
}

if (args.table) {
  printTable(args.out!);
} else if (args.widths) {
  await retrainOneArm();
} else {
  await study();
}

async function study(): Promise<void> {
  const startedAt = performance.now();
  const engine = await initEngine({ threads: Number(args.threads) });
  const network = args.network as SeedModelName;
  const algorithm = args.algorithm as RegularizerAlgorithm;
  const threshold = Number(args.threshold ?? (algorithm === 'logistic-sigmoid' ? 0.1 : algorithm === 'gamma' ? 0.01 : 0.001));
  const knobs = {
    batchSize: Number(args.batch),
    learningRate: Number(args.lr),
    weightDecay: Number(args['weight-decay']),
    optimizer: 'momentum' as const,
    evalEvery: 1_000_000,
  };
  const limit = args['data-limit'] ? { train: Number(args['data-limit']), test: 10_000 } : undefined;
  const dataset = await loadDataset('fashion-mnist', { seed: 0, validationFraction: 0.1, limit });
  const build = (seed: number, gated = false) =>
    buildSeedModel(network, { inputShape: dataset.inputShape, numClasses: dataset.numClasses, widthMultiplier: Number(args.width), gated, seed });
  const seedFlops = costOf(build(0));
  const target = Number(args.fraction) * seedFlops;
  const tolerance = Number(args.tolerance);
  const recipe = { network, width: Number(args.width), algorithm, threshold, ...knobs, structureSteps: Number(args['structure-steps']), retrainSteps: Number(args['retrain-steps']), train: dataset.train.count, backend: engine.backend, threads: engine.threads };
  log(`${args.label}: ${JSON.stringify(recipe)}; seed ${seedFlops} FLOPs, target ${(Number(args.fraction) * 100).toFixed(0)} % ± ${(tolerance * 100).toFixed(0)} % of it`);

  // 1. Structure learning: probe strengths until a structure lands in the band.
  const probes: StudyRecord['probes'] = [];
  const structures = new Map<number, StructureJson>();
  const settings = {
    targetCost: target,
    tolerance,
    startLogStrength: Math.log10(Number(args['start-strength']) / seedFlops),
    probesPerRound: 1,
    maxRounds: Number(args['max-probes']),
    minBracketDecades: DEFAULT_SEARCH_LIMITS.minBracketDecades,
  };
  let verdict = nextSearchStep(probes, 0, settings);
  for (let round = 1; verdict.kind === 'continue'; round++) {
    for (const logStrength of verdict.logStrengths) {
      const model = build(0, algorithm === 'logistic-sigmoid');
      const regularizer = createNetworkRegularizer(model, { algorithm, cost: 'flops', threshold });
      const strength = 10 ** logStrength;
      // Probes are picked on cost and validation accuracy: they never read the test split.
      const trained = await learnStructure({ model, dataset: withoutTest(dataset), regularizer, strength, steps: recipe.structureSteps, seed: 0, ...knobs });
      const structure = exportStructure(regularizer, { strength, step: trained.steps, network });
      structures.set(logStrength, structure);
      const probe = {
        logStrength,
        cost: trained.finalCost,
        valAccuracy: trained.valAccuracy!,
        strengthOverCost0: strength * seedFlops,
        fraction: trained.finalCost / seedFlops,
        widths: structure.layers.map((layer) => layer.alive),
      };
      probes.push(probe);
      log(`probe ${probes.length}: strength ${probe.strengthOverCost0.toFixed(2)}/cost0 -> ${(probe.fraction * 100).toFixed(1)} % FLOPs, widths ${probe.widths.join('-')}, val ${(probe.valAccuracy * 100).toFixed(2)} %`);
      regularizer.dispose();
      model.dispose();
    }
    verdict = nextSearchStep(probes, round, settings);
  }
  const record: StudyRecord = { label: args.label!, recipe, seedFlops, probes, chosen: null, arms: [], seconds: 0 };
  if (verdict.kind !== 'hit') {
    log(`no structure in the band (${verdict.kind}); nothing to retrain`);
    return save(record, startedAt);
  }
  const structure = structures.get(verdict.best.logStrength)!;
  record.chosen = { strengthOverCost0: 10 ** verdict.best.logStrength * seedFlops, fraction: verdict.best.cost / seedFlops };

  // 2. Retrain the structure and the uniform baseline at the same cost, N seeds each.
  const structureFlops = verdict.best.cost;
  const arms: Array<{ arm: string; structure: StructureJson; targetCost: number | null }> = [
    { arm: 'structure', structure, targetCost: null },
    { arm: 'uniform', structure: uniformStructureOf(structure), targetCost: structureFlops },
  ];
  if (args.expand) {
    arms.push({ arm: 'structure-expanded', structure, targetCost: seedFlops }, { arm: 'uniform-expanded', structure: uniformStructureOf(structure), targetCost: seedFlops });
  }
  // --seeds 0: the search alone (scripts/recipe-study.sh retrains the arms as parallel processes).
  for (const { arm, structure: armStructure, targetCost } of Number(args.seeds) > 0 ? arms : []) {
    // armStructure is already the uniform one for the uniform arms: scale it (or the structure) to the target.
    const widthMultiplier = targetCost === null ? 1 : largestWidthMultiplierUnderCost(() => build(0), armStructure, { cost: 'flops', targetCost });
    const result: ArmResult = { arm, widths: [], flops: 0, widthMultiplier, testAccuracies: [], valAccuracies: [] };
    for (let seed = 1; seed <= Number(args.seeds); seed++) {
      const model = applyStructure(build(seed), armStructure, { widthMultiplier });
      result.flops = costOf(model, false);
      result.widths = model.layers.filter((layer) => ['Conv2D', 'DepthwiseConv2D'].includes(layer.getClassName())).map((layer) => (layer.outputShape as number[]).at(-1)!);
      const trained = await retrain({ model, dataset, steps: recipe.retrainSteps, seed, ...knobs });
      result.testAccuracies.push(trained.testAccuracy);
      result.valAccuracies.push(trained.valAccuracy!);
      log(`${arm} seed ${seed}: ${result.widths.join('-')} (x${widthMultiplier.toFixed(3)}, ${((result.flops / seedFlops) * 100).toFixed(1)} % FLOPs) test ${(trained.testAccuracy * 100).toFixed(2)} %`);
      model.dispose();
    }
    record.arms.push(result);
  }
  save(record, startedAt);
  printRecord(record);
}

/** The dataset with a one-example test split, for runs whose test accuracy nobody may look at. */
function withoutTest(dataset: Dataset): Dataset {
  const pixels = dataset.inputShape.reduce((a, b) => a * b, 1);
  return { ...dataset, test: { images: dataset.test.images.subarray(0, pixels), labels: dataset.test.labels.subarray(0, 1), count: 1 } };
}

/**
 * One retrain of one arm of a reference-CNN structure given by its widths: appended to `--out` as an
 * arm record; `--table` merges the records of one label into arms.
 */
async function retrainOneArm(): Promise<void> {
  const startedAt = performance.now();
  await initEngine({ threads: Number(args.threads) });
  const dataset = await loadDataset('fashion-mnist', { seed: 0, validationFraction: 0.1 });
  const width = Number(args.width);
  const build = (seed: number) => buildSeedModel('reference-cnn', { inputShape: dataset.inputShape, numClasses: dataset.numClasses, widthMultiplier: width, seed });
  const seedModel = build(0);
  const seedWidths = seedModel.layers.filter((layer) => layer.getClassName() === 'Conv2D').map((layer) => (layer.outputShape as number[]).at(-1)!);
  const seedFlops = costOf(seedModel);
  const alive = args.widths!.split('-').map(Number);
  const structure = parseStructure({
    format: 'morphsweep-structure',
    version: 1,
    algorithm: args.algorithm,
    cost: 'flops',
    costName: 'FLOPs',
    batchSize: 1,
    threshold: 0.1,
    strength: 0,
    step: 0,
    proposedCost: 0,
    layers: [
      ...alive.map((count, i) => ({ name: `conv${i + 1}`, kind: 'conv', alive: count, seedWidth: seedWidths[i], fixed: false })),
      { name: 'logits', kind: 'dense', alive: dataset.numClasses, seedWidth: dataset.numClasses, fixed: true },
    ],
    seedNetwork: { name: 'reference-cnn' },
  });
  const structureFlops = costOf(applyStructure(build(0), structure));
  const arm = args.arm!;
  const uniform = arm.startsWith('uniform');
  const armStructure = uniform ? uniformStructureOf(structure) : structure;
  const targetCost = arm === 'structure' ? null : arm === 'uniform' ? structureFlops : seedFlops;
  const widthMultiplier = targetCost === null ? 1 : largestWidthMultiplierUnderCost(() => build(0), armStructure, { cost: 'flops', targetCost });
  const seed = Number(args.seed);
  const model = applyStructure(build(seed), armStructure, { widthMultiplier });
  const flops = costOf(model, false);
  const widths = model.layers.filter((layer) => layer.getClassName() === 'Conv2D').map((layer) => (layer.outputShape as number[]).at(-1)!);
  const knobs = { batchSize: Number(args.batch), learningRate: Number(args.lr), weightDecay: Number(args['weight-decay']), optimizer: 'momentum' as const, evalEvery: 1_000_000 };
  const trained = await retrain({ model, dataset, steps: Number(args['retrain-steps']), seed, ...knobs });
  const record = { label: args.label, arm, seed, widths, flops, seedFlops, widthMultiplier, testAccuracy: trained.testAccuracy, valAccuracy: trained.valAccuracy, recipe: { ...knobs, retrainSteps: Number(args['retrain-steps']) }, seconds: Math.round((performance.now() - startedAt) / 1000) };
  mkdirSync(dirname(args.out!), { recursive: true });
  appendFileSync(args.out!, `${JSON.stringify({ armRecord: record })}\n`);
  log(`${arm} seed ${seed}: ${widths.join('-')} (x${widthMultiplier.toFixed(3)}, ${((flops / seedFlops) * 100).toFixed(1)} % FLOPs) test ${(trained.testAccuracy * 100).toFixed(2)} % after ${record.seconds} s`);
}

function costOf(model: tf.LayersModel, dispose = true): number {
  const flops = modelCost(model, { cost: 'flops' });
  if (dispose) model.dispose();
  return flops;
}

function save(record: StudyRecord, startedAt: number): void {
  record.seconds = Math.round((performance.now() - startedAt) / 1000);
  mkdirSync(dirname(args.out!), { recursive: true });
  appendFileSync(args.out!, `${JSON.stringify(record)}\n`);
  log(`saved to ${args.out} after ${record.seconds} s`);
}

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function pct(value: number): string {
  return (value * 100).toFixed(2);
}

function describeArm(arm: ArmResult, seedFlops: number): string {
  const s = summarize(arm.testAccuracies);
  return `${arm.widths.join('-')} (${pct(arm.flops / seedFlops)} %): ${pct(s.mean)} ± ${pct(s.sd)} %`;
}

function comparisonRow(record: StudyRecord, structureArm: string, uniformArm: string): string | null {
  const structure = record.arms.find((arm) => arm.arm === structureArm);
  const uniform = record.arms.find((arm) => arm.arm === uniformArm);
  if (!structure || !uniform || structure.testAccuracies.length < 2) return null;
  const interval = welchInterval(structure.testAccuracies, uniform.testAccuracies);
  const r = record.recipe;
  return (
    `| ${record.label} | ${r.network}${r.width !== 1 ? ` x${r.width}` : ''}, ${r.algorithm}, ${r.structureSteps}/${r.retrainSteps} steps, lr ${r.learningRate}, wd ${r.weightDecay} | ` +
    `${structureArm} ${describeArm(structure, record.seedFlops)} | ${describeArm(uniform, record.seedFlops)} | ` +
    `${pct(interval.difference)} pp [${pct(interval.low)}, ${pct(interval.high)}] | ${structure.testAccuracies.length} + ${uniform.testAccuracies.length} |`
  );
}

function printRecord(record: StudyRecord): void {
  for (const row of [comparisonRow(record, 'structure', 'uniform'), comparisonRow(record, 'structure-expanded', 'uniform-expanded')]) {
    if (row) process.stdout.write(`${row}\n`);
  }
}

function printTable(path: string): void {
  if (!existsSync(path)) throw new Error(`no study records at ${path}; run a study first`);
  process.stdout.write('| study | recipe | MorphNet structure: widths (FLOPs of seed): test accuracy mean ± sd | uniform width, same FLOPs | difference, 95 % Welch CI | seeds |\n');
  process.stdout.write('|---|---|---|---|---|---|\n');
  const armRecords = new Map<string, StudyRecord>();
  for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
    const parsed = JSON.parse(line) as StudyRecord | { armRecord: ArmRecord };
    if (!('armRecord' in parsed)) {
      printRecord(parsed);
      continue;
    }
    // One-arm records of a label gather into one study.
    const { armRecord } = parsed;
    const study = armRecords.get(armRecord.label) ?? {
      label: armRecord.label,
      recipe: { network: 'reference-cnn', width: Number(args.width), algorithm: args.algorithm, structureSteps: '(given widths)', retrainSteps: armRecord.recipe.retrainSteps, learningRate: armRecord.recipe.learningRate, weightDecay: armRecord.recipe.weightDecay },
      seedFlops: armRecord.seedFlops,
      probes: [],
      chosen: null,
      arms: [],
      seconds: 0,
    };
    let arm = study.arms.find((candidate) => candidate.arm === armRecord.arm);
    if (!arm) {
      arm = { arm: armRecord.arm, widths: armRecord.widths, flops: armRecord.flops, widthMultiplier: armRecord.widthMultiplier, testAccuracies: [], valAccuracies: [] };
      study.arms.push(arm);
    }
    arm.testAccuracies.push(armRecord.testAccuracy);
    arm.valAccuracies.push(armRecord.valAccuracy);
    armRecords.set(armRecord.label, study);
  }
  for (const study of armRecords.values()) printRecord(study);
}

interface ArmRecord {
  label: string;
  arm: string;
  seed: number;
  widths: number[];
  flops: number;
  seedFlops: number;
  widthMultiplier: number;
  testAccuracy: number;
  valAccuracy: number;
  recipe: { retrainSteps: number; learningRate: number; weightDecay: number };
}
