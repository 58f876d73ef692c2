import { formatStrength } from './format.ts';
import type { FrontSeries } from './GraphParetoFront.tsx';
import { MarkerIcon, THRESHOLD_SHAPES } from './PointSymbol.tsx';
import { STRENGTH_GRADIENT_CSS, type StrengthColorScale } from './strength-colors.ts';

/** Key to the front chart: colour = strength, shape = threshold, line colour = sweep. */
export function FrontLegend(props: { series: FrontSeries[]; thresholds: number[]; strengthColors: StrengthColorScale }) {
  const { series, thresholds, strengthColors } = props;
  return (
    <div className="front-legend" aria-label="Chart legend">
      {thresholds.length > 0 && (
        <div className="legend-group">
          <span className="legend-title">Strength</span>
          <span>{formatStrength(strengthColors.minStrength)}</span>
          <span className="strength-ramp" style={{ background: STRENGTH_GRADIENT_CSS }} aria-hidden="true" />
          <span>{formatStrength(strengthColors.maxStrength)}</span>
        </div>
      )}
      <div className="legend-group">
        <span className="legend-title">Threshold</span>
        {thresholds.map((threshold, index) => (
          <span key={threshold} className="legend-item">
            <MarkerIcon shape={THRESHOLD_SHAPES[index % THRESHOLD_SHAPES.length]} fill="#9ca3af" />
            {threshold}
          </span>
        ))}
      </div>
      <div className="legend-group">
        <span className="legend-item">
          <MarkerIcon shape="ring" fill="none" stroke="#374151" /> seed network
        </span>
        <span className="legend-item">
          <MarkerIcon shape="star" fill="#f97316" /> retrained
        </span>
        {series.map(({ front, label, color }) => (
          <span key={front.sweepId} className="legend-item">
            <span className="legend-line" style={{ background: color }} aria-hidden="true" /> {label} front
          </span>
        ))}
      </div>
    </div>
  );
}
