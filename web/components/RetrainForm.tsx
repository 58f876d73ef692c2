'use client';

import { useRef, useState } from 'react';
import type { CostAxis } from '../hooks/dashboard-types.ts';
import { COST_AXIS_LABELS, formatCost } from './format.ts';

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
  /** `idempotencyKey` is the same for repeated submits of one choice until one succeeds. */
  onSubmit: (choice: RetrainChoice, idempotencyKey: string) => Promise<RetrainOutcome>;
}) {
  const { costAxis, learnedCost, onSubmit } = props;
  const [scaling, setScaling] = useState<Scaling>('as-learned');
  const [widthMultiplier, setWidthMultiplier] = useState('1.5');
  const [targetCost, setTargetCost] = useState(learnedCost !== null ? String(Math.round(learnedCost)) : '');
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
      const raw = scaling === 'width-multiplier' ? widthMultiplier : targetCost;
      const value = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
        setProblem(`${scaling === 'width-multiplier' ? 'Width multiplier' : 'Target cost'} must be a positive number.`);
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
            {learnedCost !== null && ` (learned: ${formatCost(learnedCost, costAxis)})`}
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
