'use client';

import { useRef, useState } from 'react';
import type { CostAxis } from '../hooks/dashboard-types.ts';
import { parseBudget } from './decision-points.ts';
import { COST_AXIS_LABELS, compactNumber, formatCost } from './format.ts';

export type RetrainChoice = { widthMultiplier?: number; targetCost?: number };
export type RetrainOutcome = { ok: true } | { ok: false; message: string };

type Scaling = 'as-learned' | 'width-multiplier' | 'target-cost';

/**
 * Retrain a learned structure from scratch: as learned, uniformly scaled by a width multiplier, or
 * scaled to the largest multiplier that meets a target cost on the sweep's axis.
 */
export function RetrainForm(props: {
  costAxis: CostAxis;
  learnedCost: number | null;
  /** The lowest target a retrain of this structure can meet (every layer at about one channel). */
  narrowestCost: number | null;
  /** `idempotencyKey` is the same for repeated submits of one choice until one succeeds. */
  onSubmit: (choice: RetrainChoice, idempotencyKey: string) => Promise<RetrainOutcome>;
}) {
  const { costAxis, learnedCost, narrowestCost, onSubmit } = props;
  const [scaling, setScalingChoice] = useState<Scaling>('as-learned');
  // A problem belongs to the choice it was found in: switching choices clears it.
  const setScaling = (choice: Scaling) => {
    setScalingChoice(choice);
    setProblem(null);
  };
  const [widthMultiplier, setWidthMultiplier] = useState('1.5');
  const [targetCost, setTargetCost] = useState(learnedCost !== null ? compactNumber(learnedCost) : '');
  const [problem, setProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // A double click submits twice before React disables the button: the second submit is dropped
  // here, and a retry after a failed request reuses the key, so the server starts one retrain.
  const inFlight = useRef(false);
  const pendingRequest = useRef<{ choiceJson: string; key: string } | null>(null);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setProblem(null);
    let choice: RetrainChoice = {};
    if (scaling !== 'as-learned') {
      const raw = (scaling === 'width-multiplier' ? widthMultiplier : targetCost).trim();
      const value = scaling === 'width-multiplier' ? Number(raw) : (parseBudget(raw, costAxis) ?? Number.NaN);
      if (raw === '' || !Number.isFinite(value) || value <= 0) {
        setProblem(
          scaling === 'width-multiplier'
            ? 'Write the width multiplier as a positive number, e.g. 0.75 or 1.5.'
            : `Write the target as a positive amount of ${COST_AXIS_LABELS[costAxis]}, e.g. ${costAxis === 'latency' ? '2 ms' : '5M or 5e6'}.`,
        );
        return;
      }
      if (scaling === 'target-cost' && narrowestCost !== null && value < narrowestCost) {
        setProblem(`No width reaches ${formatCost(value, costAxis)}: even the narrowest rebuild of this structure (about one channel per layer) costs ${formatCost(narrowestCost, costAxis)}.`);
        return;
      }
      if (scaling === 'width-multiplier' && value > 8) {
        setProblem('Width multiplier must be at most 8.');
        return;
      }
      choice = scaling === 'width-multiplier' ? { widthMultiplier: value } : { targetCost: value };
    }
    if (inFlight.current) return;
    const choiceJson = JSON.stringify(choice);
    if (pendingRequest.current?.choiceJson !== choiceJson) pendingRequest.current = { choiceJson, key: newIdempotencyKey() };
    inFlight.current = true;
    setSubmitting(true);
    try {
      const outcome = await onSubmit(choice, pendingRequest.current.key);
      if (outcome.ok) pendingRequest.current = null;
      else setProblem(outcome.message);
    } finally {
      inFlight.current = false;
      setSubmitting(false);
    }
  };

  return (
    <form className="retrain-form" onSubmit={submit} noValidate aria-label="Retrain this structure">
      <fieldset>
        <legend>Retrain from scratch (no regularizer)</legend>
        <label>
          <input type="radio" name="scaling" checked={scaling === 'as-learned'} onChange={() => setScaling('as-learned')} />
          As learned
        </label>
        <label>
          <input
            type="radio"
            name="scaling"
            checked={scaling === 'width-multiplier'}
            onChange={() => setScaling('width-multiplier')}
          />
          Width multiplier
        </label>
        <label>
          <input type="radio" name="scaling" checked={scaling === 'target-cost'} onChange={() => setScaling('target-cost')} />
          Target cost
        </label>
        {scaling === 'width-multiplier' && (
          <label className="stacked">
            Multiplier (× every layer&apos;s alive width)
            <input
              type="text"
              inputMode="decimal"
              name="widthMultiplier"
              value={widthMultiplier}
              onChange={(event) => setWidthMultiplier(event.target.value)}
              aria-invalid={problem ? true : undefined}
            />
          </label>
        )}
        {scaling === 'target-cost' && (
          <label className="stacked">
            Target {COST_AXIS_LABELS[costAxis]}
            {learnedCost !== null && ` (learned: ${formatCost(learnedCost, costAxis)}${narrowestCost !== null ? `; reachable from ${formatCost(narrowestCost, costAxis)}` : ''})`}
            <input
              type="text"
              inputMode="decimal"
              name="targetCost"
              value={targetCost}
              onChange={(event) => setTargetCost(event.target.value)}
              aria-invalid={problem ? true : undefined}
            />
          </label>
        )}
      </fieldset>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" className="primary" disabled={submitting}>
        {submitting ? 'Starting…' : 'Retrain'}
      </button>
    </form>
  );
}

/** 128 random bits as hex; crypto.randomUUID exists only in secure contexts (not plain http on a LAN). */
function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `ui-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
