/**
 * Compute to land a structure within ±tolerance of a target cost: the target-cost search against the
 * first MorphNet log grid that has a point there. Both train the same structure-learning runs (same
 * network, data, recipe) in one process; compute is counted in training steps (probes stopped early
 * count only the steps they trained). Grids are tried densest-last: 2, 4, 8, 16, 32 points per decade
 * over ±1 decade around 1/(initial cost), the README's default span; the first grid with a hit is the
 * one a user refining by hand would have had to run.
 *
 *   nice -n 10 node --import tsx bench/target-search-compute.ts [--dataset SPEC] [--fraction 0.5]
 *     [--tolerance 0.05] [--steps 30] [--algorithm group-lasso] [--threshold 0.1] [--probes-per-round 2]
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/data/index.ts';
import { initEngine } from '../src/engine/index.ts';
import { buildSeedModel } from '../src/models/index.ts';
import { createNetworkRegularizer, modelCost, suggestStrengths, type RegularizerAlgorithm } from '../src/morphnet/index.ts';
import { DEFAULT_SEARCH_LIMITS, nextSearchStep, settledOffTarget, withinTolerance, type Probe } from '../src/sweep/target-search.ts';
import { learnStructure } from '../src/train/index.ts';

const { values: args } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'synthetic:classes=3,size=8,channels=1,train=96,test=48,seed=1' },
    fraction: { type: 'string', default: '0.5' },
    tolerance: { type: 'string', default: '0.05' },
    steps: { type: 'string', default: '30' },
    algorithm: { type: 'string', default: 'group-lasso' },
    threshold: { type: 'string', default: '0.1' },
    width: { type: 'string', default: '0.25' },
    'probes-per-round': { type: 'string', default: '2' },
  },
});

await initEngine({ threads: 1 });
const dataset = await loadDataset(args.dataset!, { seed: 0, validationFraction: 0.25 });
const algorithm = args.algorithm as RegularizerAlgorithm;
const steps = Number(args.steps);
const build = () =>
  buildSeedModel('reference-cnn', { inputShape: dataset.inputShape, numClasses: dataset.numClasses, widthMultiplier: Number(args.width), gated: algorithm === 'logistic-sigmoid', seed: 0 });
const seedCost = modelCost(build(), { cost: 'flops' });
const settings = {
  targetCost: Number(args.fraction) * seedCost,
  tolerance: Number(args.tolerance),
  startLogStrength: -Math.log10(seedCost),
  probesPerRound: Number(args['probes-per-round']),
  maxRounds: 12,
  minBracketDecades: DEFAULT_SEARCH_LIMITS.minBracketDecades,
};

/** One structure-learning run; early stopping only for the search's probes. */
async function learn(strength: number, earlyStop: boolean): Promise<{ cost: number; valAccuracy: number; steps: number }> {
  const model = build();
  const regularizer = createNetworkRegularizer(model, { algorithm, cost: 'flops', threshold: Number(args.threshold) });
  const history: { step: number; cost: number }[] = [];
  try {
    const trained = await learnStructure({
      model,
      dataset,
      regularizer,
      strength,
      steps,
      batchSize: 16,
      learningRate: 0.05,
      evalEvery: 1_000_000,
      shouldStop: earlyStop ? (progress) => (history.push({ step: progress.step, cost: progress.cost ?? 0 }), settledOffTarget(history, progress.totalSteps, settings)) : undefined,
    });
    return { cost: trained.finalCost, valAccuracy: trained.valAccuracy ?? 0, steps: trained.steps };
  } finally {
    regularizer.dispose();
    model.dispose();
  }
}

// Target search.
const probes: Probe[] = [];
let searchSteps = 0;
let verdict = nextSearchStep(probes, 0, settings);
for (let round = 1; verdict.kind === 'continue'; round++) {
  for (const logStrength of verdict.logStrengths) {
    const result = await learn(10 ** logStrength, true);
    searchSteps += result.steps;
    probes.push({ logStrength, cost: result.cost, valAccuracy: result.valAccuracy });
  }
  verdict = nextSearchStep(probes, round, settings);
}
const searchHit = verdict.kind === 'hit';

// Grids, coarse to fine, until one has a point within the tolerance.
const costByStrength = new Map<number, number>();
let gridSteps: number | null = null;
let gridPerDecade: number | null = null;
let gridRunsTotal = 0;
for (const perDecade of [2, 4, 8, 16, 32]) {
  const strengths = suggestStrengths(seedCost, { decades: 1, perDecade });
  let hit = false;
  for (const strength of strengths) {
    if (!costByStrength.has(strength)) {
      costByStrength.set(strength, (await learn(strength, false)).cost);
      gridRunsTotal++;
    }
    hit ||= withinTolerance(costByStrength.get(strength)!, settings);
  }
  if (hit) {
    gridSteps = strengths.length * steps;
    gridPerDecade = perDecade;
    break;
  }
}

const fmt = (n: number) => n.toLocaleString('en');
console.log(`target ${(Number(args.fraction) * 100).toFixed(0)} % of the seed (${fmt(Math.round(settings.targetCost))} FLOPs) ± ${(settings.tolerance * 100).toFixed(0)} %, ${algorithm}, ${steps} steps per run, ${args.dataset}`);
console.log(`target search: ${verdict.kind} after ${probes.length} probes, ${fmt(searchSteps)} training steps${searchHit ? '' : ` (${verdict.kind}: no hit)`}`);
console.log(
  gridSteps === null
    ? `grids up to 32 per decade: no point within tolerance (${gridRunsTotal} runs trained)`
    : `first grid with a hit: ${gridPerDecade} per decade over ±1 decade, ${gridSteps / steps} runs, ${fmt(gridSteps)} training steps`,
);
if (gridSteps !== null && searchHit) console.log(`search / grid compute: ${(searchSteps / gridSteps).toFixed(2)} (goal <= 0.5)`);
