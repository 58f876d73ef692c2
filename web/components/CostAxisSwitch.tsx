'use client';

// Not from src/sweep/config.ts, which would bring zod into the sweep page's bundle.
import { COST_KINDS } from '../../src/morphnet/kinds.ts';
import type { CostAxis } from '../hooks/dashboard-types.ts';
import { COST_AXIS_LABELS } from './format.ts';

/** Radio group choosing which cost the front is drawn against (arrow keys move between options). */
export function CostAxisSwitch({ value, onChange }: { value: CostAxis; onChange: (axis: CostAxis) => void }) {
  return (
    <fieldset className="segmented" aria-label="Cost axis">
      <legend>Cost axis</legend>
      {COST_KINDS.map((axis) => (
        <label key={axis} className={axis === value ? 'selected' : undefined}>
          <input type="radio" name="cost-axis" value={axis} checked={axis === value} onChange={() => onChange(axis)} />
          {COST_AXIS_LABELS[axis]}
        </label>
      ))}
    </fieldset>
  );
}
