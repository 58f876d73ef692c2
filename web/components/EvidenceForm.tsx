'use client';

import { useState } from 'react';

export type EvidenceChoice = { seeds: number; expandTo?: 'seed' };

/** "Is this structure better than just making every layer thinner?": start an evidence run. */
export function EvidenceForm({ onSubmit }: { onSubmit: (choice: EvidenceChoice) => Promise<{ ok: true } | { ok: false; message: string }> }) {
  const [seeds, setSeeds] = useState('3');
  const [expand, setExpand] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const count = Number(seeds.trim());
    if (!Number.isInteger(count) || count < 2 || count > 10) {
      setProblem('Seeds per arm must be a whole number from 2 to 10 (an interval needs two).');
      return;
    }
    setProblem(null);
    setSubmitting(true);
    try {
      const outcome = await onSubmit({ seeds: count, ...(expand ? { expandTo: 'seed' as const } : {}) });
      if (!outcome.ok) setProblem(outcome.message);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <form className="retrain-form" onSubmit={submit} noValidate aria-label="Compare with uniform width">
      <fieldset>
        <legend>Retrain this structure and the uniformly thinned seed network at the same cost</legend>
        <label className="stacked">
          Seeds per arm
          <input type="text" inputMode="numeric" name="seeds" value={seeds} onChange={(event) => setSeeds(event.target.value)} aria-invalid={problem ? true : undefined} />
        </label>
        <label className="check">
          <input type="checkbox" name="expand" checked={expand} onChange={(event) => setExpand(event.target.checked)} />
          <span>also expand both to the seed network&apos;s cost</span>
        </label>
      </fieldset>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" className="primary" disabled={submitting}>
        {submitting ? 'Starting…' : 'Compare with uniform width'}
      </button>
    </form>
  );
}
