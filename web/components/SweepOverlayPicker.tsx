'use client';

import type { SweepSummary } from '../hooks/dashboard-types.ts';

/** Checkboxes choosing other sweeps whose fronts are drawn on this one's chart. */
export function SweepOverlayPicker(props: {
  candidates: SweepSummary[];
  selectedIds: string[];
  colorOf: (sweepId: string) => string;
  onChange: (selectedIds: string[]) => void;
}) {
  const { candidates, selectedIds, colorOf, onChange } = props;
  if (candidates.length === 0) return null;
  return (
    <fieldset className="overlay-picker">
      <legend className="legend-title">Overlay sweeps</legend>
      {candidates.map((sweep) => {
        const checked = selectedIds.includes(sweep.id);
        return (
          <label key={sweep.id}>
            <input
              type="checkbox"
              name="overlay"
              value={sweep.id}
              checked={checked}
              onChange={() => onChange(checked ? selectedIds.filter((id) => id !== sweep.id) : [...selectedIds, sweep.id])}
            />{' '}
            <span className="legend-line" style={{ background: checked ? colorOf(sweep.id) : '#d1d5db' }} aria-hidden="true" />{' '}
            {sweep.name}
          </label>
        );
      })}
    </fieldset>
  );
}
