'use client';

import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import type { CostAxis } from '../hooks/dashboard-types.ts';
import { parseBudget, recommendedPick } from './decision-points.ts';
import { COST_AXIS_LABELS, formatAccuracy, formatAccuracyChange, formatCost, formatShare, runLabel, retrainScaling } from './format.ts';
import type { ChartPoint } from './GraphParetoFront.tsx';

/** The sweep's training recipe, for what a retrain costs. */
export interface RecipeLength {
  steps?: number;
  epochs?: number;
  batchSize?: number;
}

function recipeInWords(recipe: RecipeLength): string {
  const length = recipe.steps !== undefined ? `${recipe.steps.toLocaleString('en')} steps` : `${recipe.epochs} epochs`;
  return recipe.batchSize !== undefined ? `${length} of batch ${recipe.batchSize}` : length;
}

/**
 * "Which structure do I ship under my budget?": the most accurate point of the sweep that costs at
 * most what the user types, and what it still takes to get it (a structure-learning run must be
 * retrained from scratch; a retrain or the seed is ready).
 */
export function BudgetPick(props: {
  points: ChartPoint[];
  costAxis: CostAxis;
  seedAccuracy: number | null;
  seedCost: number | null;
  recipe: RecipeLength;
  onPick: (key: string | null) => void;
}) {
  const { points, costAxis, seedAccuracy, seedCost, recipe, onPick } = props;
  const [text, setText] = useState('');
  const budget = text.trim() === '' ? null : parseBudget(text, costAxis);
  const pick = useMemo(() => (budget === null ? null : recommendedPick(points, budget)), [points, budget]);
  const cheapest = useMemo(() => points.reduce<ChartPoint | null>((best, point) => (!best || point.cost < best.cost ? point : best), null), [points]);
  useEffect(() => onPick(pick?.key ?? null), [pick?.key, onPick]);

  const example = costAxis === 'latency' ? '2 ms' : costAxis === 'flops' ? '5M' : '20k';
  return (
    <section className="panel decision-panel" aria-labelledby="budget-title" data-testid="budget-pick">
      <h2 id="budget-title">Recommended pick for a budget</h2>
      <form onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="budget-input">Budget ({COST_AXIS_LABELS[costAxis]})</label>
        <input
          id="budget-input"
          type="text"
          inputMode="decimal"
          placeholder={`e.g. ${example}`}
          value={text}
          onChange={(event) => setText(event.target.value)}
          aria-invalid={text.trim() !== '' && budget === null ? true : undefined}
          aria-describedby="budget-answer"
        />
      </form>
      <div id="budget-answer" aria-live="polite" data-testid="budget-answer">
        {text.trim() === '' ? (
          <p className="muted">
            Type the most your model may cost ({costAxis === 'latency' ? 'e.g. 2 ms, 500 µs' : `e.g. ${example}, ${example === '5M' ? '5e6, 5 MFLOPs' : '20000, 20k weights'}`}): the
            most accurate point under it is picked and ringed on the chart.
          </p>
        ) : budget === null ? (
          <p className="field-error" role="alert">
            Write the budget as a positive number, optionally with an SI prefix or unit{costAxis === 'latency' ? ' (ns, µs, ms, s; plain numbers are ms)' : ' (k, M, G)'}.
          </p>
        ) : pick === null ? (
          <p>
            No point costs at most {formatCost(budget, costAxis)}
            {cheapest && `; the cheapest costs ${formatCost(cheapest.cost, costAxis)}`}. Retrain the cheapest structure to a target cost from its run page, or
            sweep higher strengths.
          </p>
        ) : (
          <PickAnswer pick={pick} budget={budget} costAxis={costAxis} seedAccuracy={seedAccuracy} seedCost={seedCost} recipe={recipe} />
        )}
      </div>
    </section>
  );
}

function PickAnswer(props: { pick: ChartPoint; budget: number; costAxis: CostAxis; seedAccuracy: number | null; seedCost: number | null; recipe: RecipeLength }) {
  const { pick, budget, costAxis, seedAccuracy, seedCost, recipe } = props;
  const against =
    seedAccuracy !== null && pick.kind !== 'seed' ? ` (${formatAccuracyChange(pick.accuracy - seedAccuracy)} against the unpruned seed network's ${formatAccuracy(seedAccuracy)})` : '';
  const share = seedCost !== null && seedCost > 0 && pick.kind !== 'seed' ? `, ${formatShare(pick.cost / seedCost)} of the seed network's` : '';
  const cost = `${formatCost(pick.cost, costAxis)} (${formatShare(pick.cost / budget)} of the budget${share})`;
  if (pick.kind === 'seed') {
    return (
      <p data-pick={pick.key}>
        <strong>The unpruned seed network</strong> fits the budget at {cost} and is the most accurate point: {formatAccuracy(pick.accuracy)}. Ship it as is, or
        lower the budget.
      </p>
    );
  }
  if (pick.kind === 'retrain') {
    return (
      <p data-pick={pick.key}>
        <strong>Retrained structure of run </strong>
        <Link href={`/runs/${encodeURIComponent(pick.point.runId)}`}>{pick.point.runId}</Link> ({retrainScaling(pick.point, costAxis)}): {cost},{' '}
        {formatAccuracy(pick.accuracy)} validation accuracy{against}. It is already trained from scratch: nothing more to train.
      </p>
    );
  }
  return (
    <p data-pick={pick.key}>
      <strong>Run </strong>
      <Link href={`/runs/${encodeURIComponent(pick.point.runId)}#retrain-title`}>{pick.point.runId}</Link> ({runLabel(pick.point)}): {cost},{' '}
      {formatAccuracy(pick.accuracy)} validation accuracy{against}. Its accuracy is the structure-learning run&apos;s; to ship it, retrain it from scratch:
      one more training run of {recipeInWords(recipe)}, as long as one run of this sweep, on one worker.
    </p>
  );
}
