import type { Evidence } from '../../src/client/wire.ts';
import type { CostAxis } from '../hooks/dashboard-types.ts';
import { formatAccuracy, formatCost } from './format.ts';
import { StatusBadge } from './StatusBadge.tsx';

const ARM_LABELS: Record<string, string> = {
  structure: 'MorphNet structure',
  uniform: 'uniform width, same cost',
  'structure-expanded': 'structure, expanded',
  'uniform-expanded': 'uniform width, expanded',
};

const pp = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(2)}`;

/**
 * One evidence run: each arm's test accuracy (mean ± sd over its seeds) and, per comparison, the
 * difference with its 95 % Welch interval and what it says. The verdict names a winner only when the
 * whole interval is on one side of zero.
 */
export function EvidenceTable({ evidence, costAxis }: { evidence: Evidence; costAxis: CostAxis }) {
  const finished = evidence.arms.filter((arm) => arm.status === 'completed').length;
  return (
    <div className="panel" data-testid="evidence" data-evidence-id={evidence.id} data-status={evidence.status}>
      <p>
        <StatusBadge status={evidence.status} /> {evidence.seeds} seeds per arm; {finished} of {evidence.arms.length} retrains finished
        {evidence.error && <span className="error-text"> {evidence.error}</span>}
      </p>
      {evidence.summary && (
        <>
          <div className="table-wrap">
            <table className="data-table" data-testid="evidence-arms-table">
              <caption className="visually-hidden">Arms of evidence run {evidence.id}</caption>
              <thead>
                <tr>
                  <th scope="col">Arm</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Width ×</th>
                  <th scope="col">Test accuracy (mean ± sd)</th>
                  <th scope="col">Val. accuracy (mean ± sd)</th>
                </tr>
              </thead>
              <tbody>
                {evidence.summary.arms.map((arm) => (
                  <tr key={arm.arm} data-arm={arm.arm}>
                    <td>{ARM_LABELS[arm.arm] ?? arm.arm}</td>
                    <td className="num">{formatCost(arm.cost, costAxis)}</td>
                    <td className="num">{arm.widthMultiplier.toFixed(3)}</td>
                    <td className="num">
                      {formatAccuracy(arm.testAccuracy.mean)} ± {(arm.testAccuracy.sd * 100).toFixed(2)}
                    </td>
                    <td className="num">
                      {formatAccuracy(arm.valAccuracy.mean)} ± {(arm.valAccuracy.sd * 100).toFixed(2)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ul className="evidence-verdicts">
            {evidence.summary.comparisons.map((comparison) => (
              <li key={comparison.structureArm} data-winner={comparison.winner}>
                {ARM_LABELS[comparison.structureArm]} − {ARM_LABELS[comparison.baselineArm]}: {pp(comparison.interval.difference)} pp, 95 % CI [
                {pp(comparison.interval.low)}, {pp(comparison.interval.high)}] pp —{' '}
                <strong>
                  {comparison.winner === 'structure'
                    ? 'the learned structure wins'
                    : comparison.winner === 'uniform'
                      ? 'uniform width wins'
                      : 'no difference shown at 95 %'}
                </strong>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
