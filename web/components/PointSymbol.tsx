import type { SVGProps } from 'react';

/** Marker shapes, one per alive threshold (and fixed ones for the seed network and retrains). */
export const THRESHOLD_SHAPES = ['circle', 'square', 'triangle', 'diamond', 'triangle-down', 'hexagon'] as const;
export type MarkerShape = (typeof THRESHOLD_SHAPES)[number] | 'star' | 'ring';

function polygon(cx: number, cy: number, radius: number, corners: number, rotationRad: number): string {
  return Array.from({ length: corners }, (_, i) => {
    const angle = rotationRad + (2 * Math.PI * i) / corners;
    return `${(cx + radius * Math.cos(angle)).toFixed(2)},${(cy + radius * Math.sin(angle)).toFixed(2)}`;
  }).join(' ');
}

function starPoints(cx: number, cy: number, radius: number): string {
  return Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? radius : radius * 0.45;
    const angle = -Math.PI / 2 + (Math.PI * i) / 5;
    return `${(cx + r * Math.cos(angle)).toFixed(2)},${(cy + r * Math.sin(angle)).toFixed(2)}`;
  }).join(' ');
}

type PointSymbolProps = { shape: MarkerShape; cx: number; cy: number; size: number } & Omit<
  SVGProps<SVGElement>,
  'cx' | 'cy' | 'shape'
>;

/** One marker centred on (cx, cy); `size` is its radius in px. */
export function PointSymbol({ shape, cx, cy, size, ...style }: PointSymbolProps) {
  const common = style as SVGProps<SVGPolygonElement> & SVGProps<SVGCircleElement> & SVGProps<SVGRectElement>;
  switch (shape) {
    case 'circle':
      return <circle cx={cx} cy={cy} r={size} {...common} />;
    case 'ring':
      return <circle cx={cx} cy={cy} r={size} {...common} fill="none" strokeWidth={3} />;
    case 'square':
      return <rect x={cx - size * 0.85} y={cy - size * 0.85} width={size * 1.7} height={size * 1.7} {...common} />;
    case 'triangle':
      return <polygon points={polygon(cx, cy, size * 1.2, 3, -Math.PI / 2)} {...common} />;
    case 'triangle-down':
      return <polygon points={polygon(cx, cy, size * 1.2, 3, Math.PI / 2)} {...common} />;
    case 'diamond':
      return <polygon points={polygon(cx, cy, size * 1.2, 4, 0)} {...common} />;
    case 'hexagon':
      return <polygon points={polygon(cx, cy, size * 1.1, 6, 0)} {...common} />;
    case 'star':
      return <polygon points={starPoints(cx, cy, size * 1.5)} {...common} />;
  }
}

/** A small standalone SVG of a marker, for legends and tables. */
export function MarkerIcon({ shape, fill, stroke }: { shape: MarkerShape; fill: string; stroke?: string }) {
  return (
    <svg width={16} height={16} viewBox="0 0 16 16" aria-hidden="true" className="marker-icon">
      <PointSymbol shape={shape} cx={8} cy={8} size={5} fill={fill} stroke={stroke ?? '#1f2937'} strokeWidth={1} />
    </svg>
  );
}
