'use client';

import { plannedRunCount } from '../../src/sweep/config.ts';
import { formToConfig, type SweepFormValues } from './sweep-form-model.ts';

/**
 * Before launching: how many runs the form's grid starts and how much training that is, worked out
 * from the same config the form will send (plannedRunCount is the schema's own size check).
 */
export function SweepPreview({ values }: { values: SweepFormValues }) {
  const config = formToConfig(values) as unknown as Record<string, unknown> & {
    thresholds: number[];
    seeds: number[];
    training: { steps?: number; epochs?: number; batchSize?: number };
    concurrency?: number;
  };
  const runs = plannedRunCount(config);
  const length = values.lengthUnit === 'steps' ? config.training.steps : config.training.epochs;
  const readable = runs !== undefined && Number.isFinite(runs) && runs > 0;
  const strengths = readable ? runs / Math.max(1, config.thresholds.length * config.seeds.length) : 0;
  const concurrency = config.concurrency ?? 4;
  return (
    <section className="panel" aria-live="polite" data-testid="sweep-preview" aria-label="Sweep size">
      {!readable ? (
        <p className="muted">The size of the sweep shows here once the strengths, thresholds and seeds read as numbers.</p>
      ) : (
        <>
          <p>
            <strong>
              {runs.toLocaleString('en')} structure-learning run{runs === 1 ? '' : 's'}
            </strong>{' '}
            ({strengths} strength{strengths === 1 ? '' : 's'} × {config.thresholds.length} threshold{config.thresholds.length === 1 ? '' : 's'} ×{' '}
            {config.seeds.length} seed{config.seeds.length === 1 ? '' : 's'}), plus 1 run training the unpruned seed network for the reference accuracy.
          </p>
          {length !== undefined && Number.isFinite(length) && length > 0 && (
            <p>
              Compute: {(runs + 1).toLocaleString('en')} × {length.toLocaleString('en')} {values.lengthUnit} ={' '}
              <strong>
                {((runs + 1) * length).toLocaleString('en')} training {values.lengthUnit}
              </strong>
              {values.lengthUnit === 'steps' && config.training.batchSize ? ` (${((runs + 1) * length * config.training.batchSize).toLocaleString('en')} examples)` : ''}, {concurrency}{' '}
              at a time: about {Math.ceil((runs + 1) / Math.max(1, concurrency)).toLocaleString('en')} rounds of one run&apos;s training time, given {concurrency} free worker
              slot{concurrency === 1 ? '' : 's'}.
            </p>
          )}
        </>
      )}
    </section>
  );
}
