import { summarize, welchInterval, type DifferenceInterval } from './statistics.ts';

/**
 * The evidence loop's plan and verdict: a learned structure retrained over N seeds beside the
 * uniformly thinned seed network at the same cost, optionally both expanded to a second target
 * (MorphNet's shrink-then-expand protocol). Pure: the workflow plans and summarizes with it, the
 * web app and the CLI render its summary.
 */

export const EVIDENCE_ARMS = ['structure', 'uniform', 'structure-expanded', 'uniform-expanded'] as const;
export type EvidenceArm = (typeof EVIDENCE_ARMS)[number];

export const DEFAULT_EVIDENCE_SEEDS = 3;
export const MAX_EVIDENCE_SEEDS = 10;

/** Seeds of the retrained arms: 1..N, so no arm reuses the structure-learning run's seed 0 by accident. */
export function evidenceSeeds(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

export function armsOf(expand: boolean): EvidenceArm[] {
  return expand ? [...EVIDENCE_ARMS] : ['structure', 'uniform'];
}

/** Which arm a structure arm is compared against. */
export const BASELINE_OF = { structure: 'uniform', 'structure-expanded': 'uniform-expanded' } as const;

/** One finished retrain of an arm. */
export interface ArmOutcome {
  arm: EvidenceArm;
  seed: number;
  /** Cost on the sweep's axis of the network actually trained. */
  cost: number;
  widthMultiplier: number;
  valAccuracy: number;
  testAccuracy: number;
}

export interface ArmSummary {
  arm: EvidenceArm;
  count: number;
  cost: number;
  widthMultiplier: number;
  testAccuracy: { mean: number; sd: number };
  valAccuracy: { mean: number; sd: number };
}

export interface EvidenceComparison {
  structureArm: 'structure' | 'structure-expanded';
  baselineArm: 'uniform' | 'uniform-expanded';
  /** Test accuracy of the structure minus that of the uniform baseline, with its 95 % Welch interval. */
  interval: DifferenceInterval;
  /** 'structure' when the whole interval is above zero, 'uniform' when below, else 'undecided'. */
  winner: 'structure' | 'uniform' | 'undecided';
}

export interface EvidenceSummary {
  arms: ArmSummary[];
  comparisons: EvidenceComparison[];
}

export function summarizeEvidence(outcomes: readonly ArmOutcome[]): EvidenceSummary {
  const arms: ArmSummary[] = [];
  for (const arm of EVIDENCE_ARMS) {
    const ofArm = outcomes.filter((outcome) => outcome.arm === arm);
    if (ofArm.length === 0) continue;
    const test = summarize(ofArm.map((outcome) => outcome.testAccuracy));
    const val = summarize(ofArm.map((outcome) => outcome.valAccuracy));
    arms.push({
      arm,
      count: ofArm.length,
      cost: ofArm[0].cost,
      widthMultiplier: ofArm[0].widthMultiplier,
      testAccuracy: { mean: test.mean, sd: test.sd },
      valAccuracy: { mean: val.mean, sd: val.sd },
    });
  }
  const comparisons: EvidenceComparison[] = [];
  for (const [structureArm, baselineArm] of Object.entries(BASELINE_OF) as Array<[EvidenceComparison['structureArm'], EvidenceComparison['baselineArm']]>) {
    const structure = outcomes.filter((outcome) => outcome.arm === structureArm).map((outcome) => outcome.testAccuracy);
    const baseline = outcomes.filter((outcome) => outcome.arm === baselineArm).map((outcome) => outcome.testAccuracy);
    if (structure.length < 2 || baseline.length < 2) continue;
    const interval = welchInterval(structure, baseline);
    comparisons.push({ structureArm, baselineArm, interval, winner: interval.low > 0 ? 'structure' : interval.high < 0 ? 'uniform' : 'undecided' });
  }
  return { arms, comparisons };
}
