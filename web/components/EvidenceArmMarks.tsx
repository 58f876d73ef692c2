import type { Evidence } from '../../src/client/wire.ts';
import { formatAccuracy } from './format.ts';
import { PointSymbol } from './PointSymbol.tsx';

/** One evidence arm on the front: its cost and the test accuracy mean ± sd over its seeds. */
export interface EvidenceArmPoint {
  key: string;
  arm: string;
  cost: number;
  mean: number;
  sd: number;
  seeds: number;
}

const ARM_COLORS: Record<string, string> = {
  structure: '#7c3aed',
  uniform: '#0f766e',
  'structure-expanded': '#a78bfa',
  'uniform-expanded': '#5eead4',
};

export function evidenceArmPoints(evidence: readonly Evidence[]): EvidenceArmPoint[] {
  return evidence.flatMap((run) =>
    (run.summary?.arms ?? []).map((arm) => ({
      key: `${run.id}:${arm.arm}`,
      arm: arm.arm,
      cost: arm.cost,
      mean: arm.testAccuracy.mean,
      sd: arm.testAccuracy.sd,
      seeds: arm.count,
    })),
  );
}

/**
 * Evidence arms drawn as diamonds with ±1 sd error bars (test accuracy over the arm's seeds), in
 * their own colours: structure arms violet, uniform-width arms teal.
 */
export function EvidenceArmMarks(props: {
  arms: readonly EvidenceArmPoint[];
  at: (cost: number, accuracy: number) => { cx: number; cy: number } | null;
}) {
  return (
    <g className="evidence-arms" data-testid="evidence-arms">
      {props.arms.map((arm) => {
        const centre = props.at(arm.cost, arm.mean);
        const low = props.at(arm.cost, arm.mean - arm.sd);
        const high = props.at(arm.cost, arm.mean + arm.sd);
        if (!centre || !low || !high) return null;
        const color = ARM_COLORS[arm.arm] ?? '#374151';
        return (
          <g key={arm.key} data-arm={arm.arm}>
            <title>{`${arm.arm}: test ${formatAccuracy(arm.mean)} ± ${(arm.sd * 100).toFixed(2)} pp over ${arm.seeds} seeds`}</title>
            <line x1={centre.cx} x2={centre.cx} y1={low.cy} y2={high.cy} stroke={color} strokeWidth={1.5} />
            <line x1={centre.cx - 5} x2={centre.cx + 5} y1={low.cy} y2={low.cy} stroke={color} strokeWidth={1.5} />
            <line x1={centre.cx - 5} x2={centre.cx + 5} y1={high.cy} y2={high.cy} stroke={color} strokeWidth={1.5} />
            <PointSymbol shape="diamond" cx={centre.cx} cy={centre.cy} size={7} fill={color} stroke="#111827" strokeWidth={1} />
          </g>
        );
      })}
    </g>
  );
}
