'use client';

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LayerWidth } from '../hooks/dashboard-types.ts';
import { widthSummary } from './width-summary.ts';

/** Output channels per regularized layer: the learned structure beside the seed network. */
export function LayerWidthBars({ layers }: { layers: LayerWidth[] }) {
  return (
    <div className="layer-widths" data-testid="layer-widths">
      <p>{widthSummary(layers)}</p>
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={layers} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis dataKey="name" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          {/* Labels in text colour: recharts colours them like their bars, and the seed's grey is unreadable as text. */}
          <Legend formatter={(label) => <span style={{ color: '#374151' }}>{label}</span>} />
          <Bar dataKey="seed" name="Seed width" fill="#94a3b8" isAnimationActive={false} />
          <Bar dataKey="alive" name="Learned (alive)" fill="#2563eb" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <table className="data-table compact">
        <caption>Channels per layer</caption>
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">Learned</th>
            <th scope="col">Seed</th>
          </tr>
        </thead>
        <tbody>
          {layers.map((layer) => (
            <tr key={layer.name}>
              <td>{layer.name}</td>
              <td className="num">{layer.alive}</td>
              <td className="num">{layer.seed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
