/**
 * Strengths span decades, so colour follows log10(strength) across the sweep's range. A short
 * viridis-like ramp: perceptually ordered and readable for the common colour-vision deficiencies.
 */
const RAMP: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function rampColor(fraction: number): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  const position = clamped * (RAMP.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(RAMP.length - 1, lower + 1);
  const mix = position - lower;
  const channel = (i: number) => Math.round(RAMP[lower][i] + (RAMP[upper][i] - RAMP[lower][i]) * mix);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

export interface StrengthColorScale {
  colorOf(strength: number): string;
  minStrength: number;
  maxStrength: number;
}

export function strengthColorScale(strengths: number[]): StrengthColorScale {
  const positive = strengths.filter((s) => s > 0);
  const minStrength = positive.length ? Math.min(...positive) : 1;
  const maxStrength = positive.length ? Math.max(...positive) : 1;
  const logMin = Math.log10(minStrength);
  const logSpan = Math.log10(maxStrength) - logMin;
  return {
    minStrength,
    maxStrength,
    colorOf: (strength) =>
      logSpan > 0 && strength > 0 ? rampColor((Math.log10(strength) - logMin) / logSpan) : rampColor(0.5),
  };
}

/** CSS gradient of the same ramp, for the legend. */
export const STRENGTH_GRADIENT_CSS = `linear-gradient(to right, ${RAMP.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`).join(', ')})`;
