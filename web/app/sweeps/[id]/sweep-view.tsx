'use client';

import { useRouter } from 'next/navigation';
import Link from 'next/link';
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { ApiErrorNotice } from '../../../components/ApiErrorNotice.tsx';
import { CostAxisSwitch } from '../../../components/CostAxisSwitch.tsx';
import { BudgetPick } from '../../../components/BudgetPick.tsx';
import { candidatesOf, frontKeys } from '../../../components/decision-points.ts';
import { COST_AXIS_LABELS, costOnAxis, formatAccuracy } from '../../../components/format.ts';
import { FrontLegend } from '../../../components/FrontLegend.tsx';
import { LiveRunsTable } from '../../../components/LiveRunsTable.tsx';
import { FrontPointTable, MAX_COMPARED, type TablePoint } from '../../../components/FrontPointTable.tsx';
import { chartPointKey, GraphParetoFront, type ChartPoint, type FrontSeries } from '../../../components/GraphParetoFront.tsx';
import { PointDetails } from '../../../components/PointDetails.tsx';
import { RunCountsBar } from '../../../components/RunCountsBar.tsx';
import { StatusBadge } from '../../../components/StatusBadge.tsx';
import { strengthColorScale } from '../../../components/strength-colors.ts';
import { SweepOverlayPicker } from '../../../components/SweepOverlayPicker.tsx';
import { WorkerWarning } from '../../../components/WorkerWarning.tsx';
import { cancelSweep } from '../../../hooks/dashboard-actions.ts';
import type { CostAxis } from '../../../hooks/dashboard-types.ts';
import { useSweep } from '../../../hooks/useSweep.ts';
import { useSweepEvents } from '../../../hooks/useSweepEvents.ts';
import { useSweepFronts } from '../../../hooks/useSweepFronts.ts';
import { useSweepEvidence } from '../../../hooks/useSweepEvidence.ts';
import { evidenceArmPoints } from '../../../components/EvidenceArmMarks.tsx';
import { EvidenceTable } from '../../../components/EvidenceTable.tsx';
import { TargetSearchRounds } from '../../../components/TargetSearchRounds.tsx';
import { useSweeps } from '../../../hooks/useSweeps.ts';
import { useDocumentTitle } from '../../../hooks/useDocumentTitle.ts';

const SWEEP_LINE_COLORS = ['#1d4ed8', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2'];
const ACTIVE_STATUSES = new Set(['queued', 'running']);

export function SweepView({ sweepId, initialOverlayIds }: { sweepId: string; initialOverlayIds: string[] }) {
  const router = useRouter();
  const sweep = useSweep(sweepId);
  const allSweeps = useSweeps();
  const [costAxisChoice, setCostAxisChoice] = useState<CostAxis | null>(null);
  const [logCost, setLogCost] = useState(true);
  const [overlayIds, setOverlayIds] = useState(initialOverlayIds);
  const [activePoint, setActivePoint] = useState<ChartPoint | null>(null);
  const [cancelProblem, setCancelProblem] = useState<string | null>(null);
  useDocumentTitle(sweep.data ? `${sweep.data.name} · sweep · MorphSweep` : null);
  const [pickKey, setPickKey] = useState<string | null>(null);
  const [comparedRunIds, setComparedRunIds] = useState<string[]>([]);
  const toggleCompared = useCallback(
    (runId: string) =>
      setComparedRunIds((ids) => (ids.includes(runId) ? ids.filter((id) => id !== runId) : ids.length < MAX_COMPARED ? [...ids, runId] : ids)),
    [],
  );

  const sweepIds = useMemo(() => [sweepId, ...overlayIds], [sweepId, overlayIds]);
  // Fetched at once, beside the sweep's details: until the user picks an axis, the sweep's own.
  const fronts = useSweepFronts(sweepIds, costAxisChoice);
  const evidence = useSweepEvidence(sweepId);
  const evidenceArms = useMemo(() => evidenceArmPoints(evidence.data?.evidence ?? []), [evidence.data]);
  const costAxis = costAxisChoice ?? sweep.data?.costAxis ?? null;

  const live = sweep.data !== null && ACTIVE_STATUSES.has(sweep.data.status);
  useSweepEvents(live ? sweepId : null, () => {
    sweep.reload();
    fronts.reload();
  });

  const nameOf = (id: string) => allSweeps.data?.find((s) => s.id === id)?.name ?? (id === sweepId ? sweep.data?.name : undefined) ?? id;
  const colorOf = (id: string) => SWEEP_LINE_COLORS[Math.max(0, sweepIds.indexOf(id)) % SWEEP_LINE_COLORS.length];

  // Everything derived from the fronts is memoized on them: a hover changes only the active point,
  // and recomputing 10,000 points' worth of series, colours and table rows per hover made it lag.
  // Names are keyed by their text: the sweeps list arrives after the front and refreshes every few
  // seconds, and each new copy of it that renamed nothing redrew the chart and re-sorted the table.
  const labelsKey = sweepIds.map(nameOf).join('\n');
  const series: FrontSeries[] = useMemo(
    () => (fronts.data ?? []).map((front) => ({ front, label: nameOf(front.sweepId), color: colorOf(front.sweepId) })),
    // nameOf and colorOf read exactly these.
    [fronts.data, labelsKey, sweepIds],
  );
  const { thresholds, strengthColors } = useMemo(() => {
    const allRunPoints = series.flatMap(({ front }) => [...front.pareto, ...front.dominated]);
    return {
      thresholds: [...new Set(allRunPoints.map((p) => p.threshold))].sort((a, b) => a - b),
      strengthColors: strengthColorScale(allRunPoints.map((p) => p.strength)),
    };
  }, [series]);
  // The table sits below the chart, and building and sorting its rows was much of the first render:
  // it follows in a background render once the chart is drawn, which a hover on the chart interrupts.
  const tableSeries = useDeferredValue(series);
  const tableCostAxis = useDeferredValue(costAxis);
  const decisionPoints = (list: FrontSeries[]): TablePoint[] =>
    list.flatMap(({ front, label }) => {
      const candidates = candidatesOf(front, label);
      const onFront = new Set(frontKeys(candidates));
      return candidates.map((candidate) => ({ ...candidate, onFront: onFront.has(candidate.key) }));
    });
  const tablePoints = useMemo(() => decisionPoints(tableSeries), [tableSeries]);
  // The budget's pick is taken in this sweep only, overlays are for comparison.
  const ownPoints = useMemo(() => decisionPoints(series.filter(({ front }) => front.sweepId === sweepId)), [series, sweepId]);
  const pointCount = series.reduce(
    (count, { front }) => count + front.pareto.length + front.dominated.length + front.retrained.length + (front.seedNetwork?.accuracy != null ? 1 : 0),
    0,
  );

  const changeOverlay = (ids: string[]) => {
    setOverlayIds(ids);
    const query = ids.length > 0 ? `?overlay=${ids.map(encodeURIComponent).join(',')}` : '';
    router.replace(`/sweeps/${encodeURIComponent(sweepId)}${query}`, { scroll: false });
  };

  const openPoint = (point: ChartPoint) => {
    if (point.kind !== 'seed') router.push(`/runs/${encodeURIComponent(point.point.runId)}`);
  };

  if (sweep.error) return <ApiErrorNotice error={sweep.error} what={`sweep ${sweepId}`} onRetry={sweep.reload} />;
  if (!sweep.data || !costAxis) return <p className="muted">Loading sweep…</p>;
  const detail = sweep.data;
  const config = detail.config as {
    dataset?: string;
    network?: { name?: string; model?: string };
    regularizer?: { algorithm?: string; cost?: string; hardware?: string };
    training?: { steps?: number; epochs?: number; batchSize?: number };
  };
  const seedCost = detail.seedCost ? costOnAxis(detail.seedCost, costAxis) : null;

  return (
    <>
      <div className="page-head">
        <h1>{detail.name}</h1>
        <div className="meta">
          <StatusBadge status={detail.status} />
          <RunCountsBar runCounts={detail.runs} />
          {live && (
            <button
              type="button"
              className="danger"
              onClick={async () => {
                const outcome = await cancelSweep(sweepId);
                setCancelProblem(outcome.ok ? null : outcome.message);
                sweep.reload();
              }}
            >
              Cancel sweep
            </button>
          )}
        </div>
      </div>
      {live && <WorkerWarning />}
      {cancelProblem && <p className="notice error">{cancelProblem}</p>}
      {detail.error && <p className="notice error">Sweep failed: {detail.error}</p>}
      <dl className="facts panel">
        <div>
          <dt>Regularizer</dt>
          <dd>
            {config.regularizer?.algorithm} on {COST_AXIS_LABELS[detail.costAxis]}
            {config.regularizer?.hardware ? ` (${config.regularizer.hardware})` : ''}
          </dd>
        </div>
        <div>
          <dt>Seed network</dt>
          <dd>{config.network?.model ? <span title={config.network.model}>your model {config.network.model.slice(0, 19)}…</span> : config.network?.name}</dd>
        </div>
        <div>
          <dt>Dataset</dt>
          <dd>{config.dataset}</dd>
        </div>
        <div>
          <dt>Seed accuracy</dt>
          <dd>{detail.seedAccuracy !== null ? `${formatAccuracy(detail.seedAccuracy)} (unpruned, same recipe)` : live ? 'being measured' : 'not measured'}</dd>
        </div>
        <div>
          <dt>Tags</dt>
          <dd>{detail.tags.length ? detail.tags.join(', ') : '–'}</dd>
        </div>
        <div>
          <dt>Updates</dt>
          <dd>{live ? 'live' : 'finished'}</dd>
        </div>
      </dl>

      {detail.targetSearch && <TargetSearchRounds search={detail.targetSearch} costAxis={detail.costAxis} />}

      <section aria-labelledby="front-title">
        <h2 id="front-title">Pareto front</h2>
        <div className="chart-toolbar">
          <CostAxisSwitch value={costAxis} onChange={setCostAxisChoice} />
          <label>
            <input type="checkbox" checked={logCost} onChange={(event) => setLogCost(event.target.checked)} /> log cost axis
          </label>
          <SweepOverlayPicker
            candidates={(allSweeps.data ?? []).filter((s) => s.id !== sweepId)}
            selectedIds={overlayIds}
            colorOf={colorOf}
            onChange={changeOverlay}
          />
        </div>
        {fronts.error ? (
          <ApiErrorNotice error={fronts.error} what="the front" onRetry={fronts.reload} />
        ) : (
          <div className="sweep-layout">
            <div className="panel">
              {fronts.data === null ? (
                <p className="muted">Loading front…</p>
              ) : (
                <>
                  <GraphParetoFront
                    series={series}
                    costAxis={costAxis}
                    logCost={logCost}
                    strengthColors={strengthColors}
                    thresholds={thresholds}
                    activeKey={activePoint ? chartPointKey(activePoint) : null}
                    highlightKey={pickKey}
                    onActivate={setActivePoint}
                    onOpen={openPoint}
                    // Arms' costs are on the sweep's own axis.
                    evidenceArms={costAxis === detail.costAxis ? evidenceArms : undefined}
                  />
                  <FrontLegend series={series} thresholds={thresholds} strengthColors={strengthColors} />
                </>
              )}
            </div>
            <PointDetails point={activePoint} costAxis={costAxis} />
          </div>
        )}
      </section>

      {(evidence.data?.evidence.length ?? 0) > 0 && (
        <section aria-labelledby="sweep-evidence-title" data-testid="sweep-evidence">
          <h2 id="sweep-evidence-title">Better than uniform width?</h2>
          <p className="muted">Each evidence run retrains a structure and the uniformly thinned seed network at the same cost (test accuracy; the diamonds on the chart).</p>
          {evidence.data!.evidence.map((item) => (
            <div key={item.id}>
              <h3>
                Run <Link href={`/runs/${encodeURIComponent(item.runId)}`}>{item.runId}</Link>
              </h3>
              <EvidenceTable evidence={item} costAxis={detail.costAxis} />
            </div>
          ))}
        </section>
      )}

      {fronts.data !== null && (
        <BudgetPick
          points={ownPoints}
          costAxis={costAxis}
          seedAccuracy={detail.seedAccuracy}
          seedCost={seedCost}
          recipe={{ steps: config.training?.steps, epochs: config.training?.epochs, batchSize: config.training?.batchSize }}
          onPick={setPickKey}
        />
      )}

      {detail.live && detail.live.running.length > 0 && (
        <section aria-labelledby="live-title">
          <h2 id="live-title">Training now ({detail.live.running.length})</h2>
          <LiveRunsTable runs={detail.live.running} costAxis={detail.costAxis} />
        </section>
      )}

      <section aria-labelledby="points-title">
        <h2 id="points-title">Points ({pointCount})</h2>
        <div className="compare-bar" data-testid="compare-bar">
          <span className="muted">Tick up to {MAX_COMPARED} runs to compare their widths, costs and curves side by side.</span>
          {comparedRunIds.length >= 2 ? (
            <Link className="button primary" href={`/compare?runs=${comparedRunIds.map(encodeURIComponent).join(',')}`}>
              Compare {comparedRunIds.length} runs
            </Link>
          ) : (
            <span className="muted">{comparedRunIds.length === 1 ? '1 run ticked: tick one more.' : ''}</span>
          )}
        </div>
        <div className="table-scroll">
          {tablePoints.length === 0 && pointCount > 0 ? (
            <p className="muted">Loading points…</p>
          ) : (
            <FrontPointTable points={tablePoints} costAxis={tableCostAxis ?? costAxis} selectedRunIds={comparedRunIds} onToggleRun={toggleCompared} />
          )}
        </div>
      </section>
    </>
  );
}
