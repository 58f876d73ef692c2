import type { CostAxis, Costs } from '../hooks/dashboard-types.ts';

export const COST_AXIS_LABELS: Record<CostAxis, string> = {
  flops: 'FLOPs',
  'model-size': 'Model size (weights)',
  latency: 'Latency',
};

function withSiPrefix(value: number, unit: string): string {
  const prefixes: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, prefix] of prefixes) {
    if (Math.abs(value) >= scale) return `${(value / scale).toPrecision(3)} ${prefix}${unit}`;
  }
  return `${Number(value.toPrecision(3))} ${unit}`.trimEnd();
}

/** "3.75M": a count with an SI prefix and no unit, for tick labels whose unit is in the title. */
export function compactNumber(value: number): string {
  return withSiPrefix(value, '').replace(' ', '');
}

/** A cost on its axis with its unit: FLOPs and weights get SI prefixes, latency (stored in ns) a time unit. */
export function formatCost(cost: number, axis: CostAxis): string {
  if (axis === 'latency') {
    if (cost >= 1e6) return `${(cost / 1e6).toPrecision(3)} ms`;
    if (cost >= 1e3) return `${(cost / 1e3).toPrecision(3)} µs`;
    return `${cost.toPrecision(3)} ns`;
  }
  return withSiPrefix(cost, axis === 'flops' ? 'FLOPs' : 'weights');
}

export function formatAccuracy(accuracy: number | null): string {
  return accuracy === null ? '–' : `${(accuracy * 100).toFixed(1)} %`;
}

export function formatStrength(strength: number): string {
  return strength.toExponential(2);
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

export function costOnAxis(costs: Costs, axis: CostAxis): number | null {
  if (axis === 'flops') return costs.flops;
  if (axis === 'model-size') return costs.modelSize;
  return costs.latencyNs;
}
