/**
 * Geometry of the input gradient of a strided convolution, one spatial axis at a time.
 *
 * Forward: y[o] = sum_k x[o*stride + k*dilation - padBefore] * w[k]. The input gradient
 * dx[i] = sum_{o,k: o*stride + k*dilation - padBefore = i} dy[o] * w[k] splits by the phase
 * r = i mod stride into `stride` dense stride-1 convolutions of dy, each using only the taps k
 * that land on that phase. This does exactly the forward's multiply-adds, where the textbook
 * "insert zeros into dy, then convolve" does stride^2 times more (mostly with zeros).
 */
export interface AxisPhase {
  /** Filter taps used by this phase, in the order the stride-1 convolution applies them. */
  taps: number[];
  /** Dilation of the phase's convolution over dy. */
  dilation: number;
  /** Zero padding before dy; negative means drop that many leading elements of dy. */
  padBefore: number;
  /** Zero padding after dy; negative means drop that many trailing elements of dy. */
  padAfter: number;
}

export interface AxisPhasePlan {
  /** Phase r gives dx[r], dx[r + stride], ...: phases.length === stride. */
  phases: AxisPhase[];
  /** Every phase produces this many outputs (ceil(inSize / stride)); the excess is cropped. */
  phaseLength: number;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

export function planInputGradientAxis(geometry: {
  inSize: number;
  outSize: number;
  filterSize: number;
  stride: number;
  dilation: number;
  padBefore: number;
}): AxisPhasePlan {
  const { inSize, outSize, filterSize, stride, dilation, padBefore } = geometry;
  const phaseLength = Math.ceil(inSize / stride);
  const phaseDilation = dilation / greatestCommonDivisor(stride, dilation);
  const phases: AxisPhase[] = [];
  for (let phase = 0; phase < stride; phase++) {
    // dy offset of tap k for this phase: dx[phase + stride*q] reads dy[q + offset(k)].
    const offsets = new Map<number, number>();
    for (let tap = filterSize - 1; tap >= 0; tap--) {
      const numerator = phase + padBefore - tap * dilation;
      if (((numerator % stride) + stride) % stride === 0) offsets.set(tap, numerator / stride);
    }
    const taps = [...offsets.keys()];
    if (taps.length === 0) {
      phases.push({ taps, dilation: phaseDilation, padBefore: 0, padAfter: 0 });
      continue;
    }
    const firstOffset = offsets.get(taps[0]!)!;
    const span = (taps.length - 1) * phaseDilation;
    phases.push({
      taps,
      dilation: phaseDilation,
      padBefore: -firstOffset,
      padAfter: phaseLength - outSize + firstOffset + span,
    });
  }
  return { phases, phaseLength };
}
