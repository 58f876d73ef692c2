import { formatAccuracy, formatStrength } from './format.ts';
import type { FrontSeries } from './GraphParetoFront.tsx';
import { MarkerIcon, THRESHOLD_SHAPES } from './PointSymbol.tsx';
import { STRENGTH_GRADIENT_CSS, type StrengthColorScale } from './strength-colors.ts';

/** Key to the front chart: colour = strength, shape = threshold, line colour = sweep, dashed = its seed network. */
export function FrontLegend(props: { series: FrontSeries[]; thresholds: number[]; strengthColors: StrengthColorScale }) {
  const { series, thresholds, strengthColors } = props;
  const oneStrength = strengthColors.minStrength === strengthColors.maxStrength;
  return (
    <div className="front-legend" aria-label="Chart legend" data-testid="front-legend">
      {thresholds.length > 0 && (
        <div className="legend-group">
          <span className="legend-title">Strength</span>
          {oneStrength ? (
            <span className="legend-item">
              <MarkerIcon shape="circle" fill={strengthColors.colorOf(strengthColors.minStrength)} /> {formatStrength(strengthColors.minStrength)}
            </span>
          ) : (
            <>
              <span>{formatStrength(strengthColors.minStrength)}</span>
              <span className="strength-ramp" style={{ background: STRENGTH_GRADIENT_CSS }} aria-hidden="true" />
              <span>{formatStrength(strengthColors.maxStrength)}</span>
            </>
          )}
        </div>
      )}
      {thresholds.length > 0 && (
        <div className="legend-group">
          <span className="legend-title">Threshold</span>
          {thresholds.map((threshold, index) => (
            <span key={threshold} className="legend-item">
              <MarkerIcon shape={THRESHOLD_SHAPES[index % THRESHOLD_SHAPES.length]!} fill="#9ca3af" />
              {threshold}
            </span>
          ))}
        </div>
      )}
      <div className="legend-group">
        <span className="legend-item">
          <MarkerIcon shape="star" fill="#f97316" /> retrained from scratch
        </span>
        {series.map(({ front, label, color }) => (
          <span key={front.sweepId} className="legend-item" data-testid="legend-seed">
            <span className="legend-dash" style={{ borderColor: color }} aria-hidden="true" />
            <MarkerIcon shape="ring" fill="none" stroke={color} />
            {front.seedNetwork?.accuracy != null
              ? `${label}: seed network, ${formatAccuracy(front.seedNetwork.accuracy)}`
              : `${label}: seed network (accuracy being measured)`}
          </span>
        ))}
        {series.map(({ front, label, color }) => (
          <span key={`front-${front.sweepId}`} className="legend-item">
            <span className="legend-line" style={{ background: color }} aria-hidden="true" /> {label} front
          </span>
        ))}
      </div>
    </div>
  );
}
