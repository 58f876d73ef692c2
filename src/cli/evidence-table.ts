import type { EvidenceSummary } from '../sweep/evidence.ts';
import { formatNumber, formatTable } from './output.ts';

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;

/**
 * The evidence verdict as the CLI and the demo print it: one row per arm (test accuracy mean ± sd
 * over its seeds) and one line per comparison with its 95 % interval.
 */
export function formatEvidence(summary: EvidenceSummary, seedCost?: number): string {
  const rows = summary.arms.map((arm) => [
    arm.arm,
    arm.count,
    formatNumber(arm.cost),
    ...(seedCost ? [`${((arm.cost / seedCost) * 100).toFixed(1)} %`] : []),
    formatNumber(arm.widthMultiplier),
    `${percent(arm.testAccuracy.mean)} ± ${(arm.testAccuracy.sd * 100).toFixed(2)}`,
    `${percent(arm.valAccuracy.mean)} ± ${(arm.valAccuracy.sd * 100).toFixed(2)}`,
  ]);
  const headers = ['arm', 'seeds', 'cost', ...(seedCost ? ['of seed'] : []), 'width x', 'test acc (mean ± sd)', 'val acc (mean ± sd)'];
  const verdicts = summary.comparisons.map(({ structureArm, baselineArm, interval, winner }) => {
    const pp = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(2)}`;
    const says = winner === 'structure' ? 'the structure wins' : winner === 'uniform' ? 'uniform width wins' : 'no difference shown';
    return `${structureArm} - ${baselineArm}: ${pp(interval.difference)} pp, 95 % CI [${pp(interval.low)}, ${pp(interval.high)}] pp: ${says}`;
  });
  return [formatTable(headers, rows), ...verdicts].join('\n');
}
