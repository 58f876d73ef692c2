import type { TargetSearch } from '../../src/client/wire.ts';
import type { CostAxis } from '../hooks/dashboard-types.ts';
import { formatAccuracy, formatCost, formatStrength } from './format.ts';

/** A target-cost sweep's rounds: each probe's strength, cost against the target, and the outcome. */
export function TargetSearchRounds({ search, costAxis }: { search: TargetSearch; costAxis: CostAxis }) {
  return (
    <section aria-labelledby="target-search-title">
      <h2 id="target-search-title">
        Target search: {formatCost(search.targetCost, costAxis)} ± {(search.tolerance * 100).toFixed(1)} %
      </h2>
      {search.outcome ? (
        <p className={search.outcome.kind === 'hit' ? 'notice' : 'notice error'} data-testid="target-search-outcome" data-kind={search.outcome.kind}>
          {search.outcome.message}
        </p>
      ) : (
        <p className="muted">Searching: round {search.rounds.length}…</p>
      )}
      <div className="table-wrap">
        <table className="data-table" data-testid="target-search-rounds">
          <caption className="visually-hidden">Probes of each round</caption>
          <thead>
            <tr>
              <th scope="col">Round</th>
              <th scope="col">Strength</th>
              <th scope="col">State</th>
              <th scope="col">Cost</th>
              <th scope="col">Of target</th>
              <th scope="col">Val. accuracy</th>
              <th scope="col">Steps</th>
            </tr>
          </thead>
          <tbody>
            {search.rounds.flatMap((round) =>
              round.probes.map((probe) => (
                <tr key={probe.runId} data-run-id={probe.runId}>
                  <td className="num">{round.round}</td>
                  <td className="num">{formatStrength(probe.strength)}</td>
                  <td>{probe.state}</td>
                  <td className="num">{probe.cost !== null ? formatCost(probe.cost, costAxis) : '–'}</td>
                  <td className="num">{probe.cost !== null ? `${((probe.cost / search.targetCost) * 100).toFixed(1)} %` : '–'}</td>
                  <td className="num">{formatAccuracy(probe.valAccuracy)}</td>
                  <td className="num">{probe.steps ?? '–'}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
