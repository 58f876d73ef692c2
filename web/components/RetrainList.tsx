import type { CostAxis, Retrain } from '../hooks/dashboard-types.ts';
import { costOnAxis, formatAccuracy, formatCost, retrainScaling } from './format.ts';
import { RetrainedModelDownload } from './RetrainedModelDownload.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { StepProgress } from './StepProgress.tsx';

/** Retrains of one run: how each was scaled, how far it got, what it reached. */
export function RetrainList({ retrains, costAxis }: { retrains: Retrain[]; costAxis: CostAxis }) {
  if (retrains.length === 0) return <p className="muted">Not retrained yet.</p>;
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="retrain-table">
        <caption className="visually-hidden">Retrains of this run</caption>
        <thead>
          <tr>
            <th scope="col">Retrain</th>
            <th scope="col">Scaling</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Cost</th>
            <th scope="col">Accuracy (val / test)</th>
            <th scope="col">Model</th>
            <th scope="col">Engine</th>
          </tr>
        </thead>
        <tbody>
          {retrains.map((retrain) => {
            const cost = costOnAxis(retrain.costs, costAxis);
            return (
              <tr key={retrain.id} data-retrain-id={retrain.id} data-status={retrain.status}>
                <td>{retrain.id}</td>
                <td>
                  {retrainScaling(retrain, costAxis)}
                </td>
                <td>
                  <StatusBadge status={retrain.status} />
                  {retrain.error && <span className="error-text"> {retrain.error}</span>}
                </td>
                <td>
                  <StepProgress step={retrain.step} totalSteps={retrain.totalSteps} label={`retrain ${retrain.id} progress`} />
                </td>
                <td className="num">{cost !== null ? formatCost(cost, costAxis) : '–'}</td>
                <td className="num">
                  {formatAccuracy(retrain.valAccuracy)} / {formatAccuracy(retrain.testAccuracy)}
                </td>
                <td>{retrain.status === 'completed' ? <RetrainedModelDownload retrainId={retrain.id} /> : '–'}</td>
                <td>{retrain.engine ?? '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
