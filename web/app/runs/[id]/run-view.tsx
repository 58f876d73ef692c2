'use client';

import Link from 'next/link';
import { ApiErrorNotice } from '../../../components/ApiErrorNotice.tsx';
import { CurvesChart } from '../../../components/CurvesChart.tsx';
import { costOnAxis, formatAccuracy, formatAccuracyChange, formatCost, formatShare, formatStrength, runLabel } from '../../../components/format.ts';
import { LayerWidthBars } from '../../../components/LayerWidthBars.tsx';
import { RetrainForm } from '../../../components/RetrainForm.tsx';
import { RetrainList } from '../../../components/RetrainList.tsx';
import { StatusBadge } from '../../../components/StatusBadge.tsx';
import { StepProgress } from '../../../components/StepProgress.tsx';
import { StructureDownload } from '../../../components/StructureDownload.tsx';
import { EvidenceForm } from '../../../components/EvidenceForm.tsx';
import { EvidenceTable } from '../../../components/EvidenceTable.tsx';
import { WorkerWarning } from '../../../components/WorkerWarning.tsx';
import { startEvidence, startRetrain } from '../../../hooks/dashboard-actions.ts';
import { useSweepEvidence } from '../../../hooks/useSweepEvidence.ts';
import { useRun } from '../../../hooks/useRun.ts';
import { useSweep } from '../../../hooks/useSweep.ts';
import { useDocumentTitle } from '../../../hooks/useDocumentTitle.ts';

export function RunView({ runId }: { runId: string }) {
  const run = useRun(runId, { live: true });
  const sweep = useSweep(run.data?.sweepId ?? null);
  const evidence = useSweepEvidence(run.data?.sweepId ?? null);

  useDocumentTitle(run.data && sweep.data ? `Run ${runLabel(run.data)} · ${sweep.data.name} · MorphSweep` : null);
  if (run.error) return <ApiErrorNotice error={run.error} what={`run ${runId}`} onRetry={run.reload} />;
  if (!run.data || !sweep.data) return <p className="muted">Loading run…</p>;
  const detail = run.data;
  const costAxis = sweep.data.costAxis;
  const learnedCost = costOnAxis(detail.costs, costAxis);
  const seedCosts = sweep.data.seedCost;
  const seedAccuracy = sweep.data.seedAccuracy;
  const waiting = detail.status === 'pending' || detail.retrains.some((retrain) => retrain.status === 'pending' || retrain.status === 'running');
  const ofSeed = (cost: number | null, axis: 'flops' | 'model-size' | 'latency') => {
    const seed = seedCosts ? costOnAxis(seedCosts, axis) : null;
    return cost !== null && seed ? ` (${formatShare(cost / seed)} of seed)` : '';
  };

  return (
    <>
      <p>
        <Link href={`/sweeps/${encodeURIComponent(detail.sweepId)}`}>← {sweep.data.name}</Link>
      </p>
      <div className="page-head">
        <h1>
          Run {detail.id}
          <span className="run-label">{runLabel(detail)}</span>
        </h1>
        <div className="meta">
          <StatusBadge status={detail.status} />
          <StepProgress step={detail.step} totalSteps={detail.totalSteps} label="structure-learning progress" />
        </div>
      </div>
      {waiting && <WorkerWarning />}
      {detail.error && <p className="notice error">Run failed: {detail.error}</p>}
      <dl className="facts panel" data-testid="run-facts">
        <div>
          <dt>Strength</dt>
          <dd>{formatStrength(detail.strength)}</dd>
        </div>
        <div>
          <dt>Threshold</dt>
          <dd>{detail.threshold}</dd>
        </div>
        <div>
          <dt>Seed</dt>
          <dd>{detail.seed}</dd>
        </div>
        <div>
          <dt>FLOPs</dt>
          <dd>{detail.costs.flops !== null ? formatCost(detail.costs.flops, 'flops') + ofSeed(detail.costs.flops, 'flops') : '–'}</dd>
        </div>
        <div>
          <dt>Model size</dt>
          <dd>{detail.costs.modelSize !== null ? formatCost(detail.costs.modelSize, 'model-size') + ofSeed(detail.costs.modelSize, 'model-size') : '–'}</dd>
        </div>
        <div>
          <dt>Latency</dt>
          <dd>{detail.costs.latencyNs !== null ? formatCost(detail.costs.latencyNs, 'latency') + ofSeed(detail.costs.latencyNs, 'latency') : '–'}</dd>
        </div>
        <div>
          <dt>Val. accuracy</dt>
          <dd>
            {formatAccuracy(detail.valAccuracy)}
            {detail.valAccuracy !== null && seedAccuracy !== null ? ` (${formatAccuracyChange(detail.valAccuracy - seedAccuracy)} vs seed)` : ''}
          </dd>
        </div>
        <div>
          <dt>Test accuracy</dt>
          <dd>{formatAccuracy(detail.testAccuracy)}</dd>
        </div>
        <div>
          <dt>Attempt</dt>
          <dd>{detail.attempt}</dd>
        </div>
        <div>
          <dt>Engine</dt>
          <dd data-testid="run-engine">{detail.engine ?? '–'}</dd>
        </div>
      </dl>

      <section aria-labelledby="curves-title">
        <h2 id="curves-title">Curves</h2>
        <CurvesChart curve={detail.curve} costAxis={costAxis} totalSteps={detail.totalSteps} />
      </section>

      <section aria-labelledby="widths-title">
        <h2 id="widths-title">Layer widths: learned vs seed</h2>
        {detail.layers ? <LayerWidthBars layers={detail.layers} /> : <p className="muted">The structure is stored when the run finishes.</p>}
        <StructureDownload runId={detail.id} available={detail.layers !== null} />
      </section>

      <section aria-labelledby="retrain-title">
        <h2 id="retrain-title">Retrain</h2>
        {detail.status === 'completed' ? (
          <RetrainForm
            costAxis={costAxis}
            learnedCost={learnedCost}
            narrowestCost={detail.narrowestCost ? costOnAxis(detail.narrowestCost, costAxis) : null}
            onSubmit={async (choice, idempotencyKey) => {
              const outcome = await startRetrain(detail.id, choice, idempotencyKey);
              run.reload();
              return outcome;
            }}
          />
        ) : (
          <p className="muted">A run can be retrained once it has completed.</p>
        )}
        <RetrainList retrains={detail.retrains} costAxis={costAxis} />
      </section>

      <section aria-labelledby="evidence-title">
        <h2 id="evidence-title">Better than uniform width?</h2>
        {detail.status === 'completed' ? (
          <EvidenceForm
            onSubmit={async (choice) => {
              const outcome = await startEvidence(detail.id, choice);
              evidence.reload();
              return outcome;
            }}
          />
        ) : (
          <p className="muted">A structure can be compared once its run has completed.</p>
        )}
        {(evidence.data?.evidence ?? [])
          .filter((item) => item.runId === detail.id)
          .map((item) => (
            <EvidenceTable key={item.id} evidence={item} costAxis={costAxis} />
          ))}
      </section>
    </>
  );
}
