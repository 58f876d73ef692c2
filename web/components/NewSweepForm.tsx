'use client';

import { useState, type ReactNode } from 'react';
import { DEVICE_NAMES } from '../../src/morphnet/devices.ts';
import {
  COST_KINDS,
  DEFAULT_LATENCY_HARDWARE,
  OPTIMIZERS,
  REGULARIZER_ALGORITHMS,
  SEED_NETWORKS,
  type ConfigProblem,
  type RegularizerAlgorithm,
  type SweepConfigInput,
} from '../../src/sweep/config.ts';
import { SweepPreview } from './SweepPreview.tsx';
import {
  DEFAULT_SWEEP_FORM,
  DEFAULT_THRESHOLDS,
  groupProblems,
  validateSweepForm,
  type FormProblems,
  type SweepFormField,
  type SweepFormValues,
} from './sweep-form-model.ts';

export type SubmitOutcome = { ok: true } | { ok: false; problems: ConfigProblem[]; message?: string };

interface NewSweepFormProps {
  onSubmit: (config: SweepConfigInput) => Promise<SubmitOutcome>;
  initialValues?: Partial<SweepFormValues>;
}

const NO_PROBLEMS: FormProblems = { byField: {}, general: [] };
const ALGORITHM_LABELS: Record<string, string> = {
  'logistic-sigmoid': 'FiGS: logistic-sigmoid gates (recommended)',
  gamma: 'Gamma: batch-norm scale L1',
  'group-lasso': 'Group lasso on kernels',
};
const COST_LABELS: Record<string, string> = { flops: 'FLOPs', 'model-size': 'Model size (weights)', latency: 'Latency (roofline)' };

/** The "new sweep" form: the API's zod schema checks it here first, server problems land on their fields. */
export function NewSweepForm({ onSubmit, initialValues }: NewSweepFormProps) {
  const [values, setValues] = useState<SweepFormValues>({ ...DEFAULT_SWEEP_FORM, ...initialValues });
  const [thresholdsEdited, setThresholdsEdited] = useState(false);
  const [problems, setProblems] = useState<FormProblems>(NO_PROBLEMS);
  const [serverMessage, setServerMessage] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const set = <K extends SweepFormField>(field: K, value: SweepFormValues[K]) =>
    setValues((previous) => ({ ...previous, [field]: value }));

  const chooseAlgorithm = (algorithm: RegularizerAlgorithm) =>
    setValues((previous) => ({
      ...previous,
      algorithm,
      thresholds: thresholdsEdited ? previous.thresholds : DEFAULT_THRESHOLDS[algorithm],
    }));

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setServerMessage(null);
    const { config, problems: clientProblems } = validateSweepForm(values);
    if (clientProblems.length > 0) {
      setProblems(groupProblems(clientProblems));
      focusFirstInvalid();
      return;
    }
    setProblems(NO_PROBLEMS);
    setSubmitting(true);
    try {
      const outcome = await onSubmit(config);
      if (!outcome.ok) {
        setProblems(groupProblems(outcome.problems));
        setServerMessage(outcome.message ?? null);
        focusFirstInvalid();
      }
    } finally {
      setSubmitting(false);
    }
  };

  const errorsOf = (field: SweepFormField) => problems.byField[field] ?? [];
  const fieldProps = (field: SweepFormField) => {
    const errors = errorsOf(field);
    return {
      id: `field-${field}`,
      name: field,
      'aria-invalid': errors.length > 0 ? true : undefined,
      'aria-describedby': errors.length > 0 ? `error-${field}` : undefined,
    };
  };

  const row = (field: SweepFormField, label: string, control: ReactNode, hint?: string) => (
    <div className="form-row">
      <label htmlFor={`field-${field}`}>{label}</label>
      {control}
      {hint && <p className="hint">{hint}</p>}
      {errorsOf(field).length > 0 && (
        <p className="field-error" id={`error-${field}`} role="alert" data-field-error={field}>
          {errorsOf(field).join('; ')}
        </p>
      )}
    </div>
  );

  const text = (field: SweepFormField, extra: Record<string, unknown> = {}) => (
    <input
      type="text"
      {...fieldProps(field)}
      value={values[field] as string}
      onChange={(event) => set(field, event.target.value as SweepFormValues[typeof field])}
      {...extra}
    />
  );

  const select = (field: SweepFormField, options: readonly string[], onChange?: (value: string) => void, labels: Record<string, string> = {}) => (
    <select
      {...fieldProps(field)}
      value={values[field] as string}
      onChange={(event) => (onChange ? onChange(event.target.value) : set(field, event.target.value as never))}
    >
      {options.map((option) => (
        <option key={option} value={option}>
          {labels[option] ?? option}
        </option>
      ))}
    </select>
  );

  return (
    <form className="sweep-form" onSubmit={submit} noValidate aria-label="New sweep">
      {(problems.general.length > 0 || serverMessage) && (
        <div className="form-errors" role="alert" data-testid="form-errors">
          {serverMessage && <p>{serverMessage}</p>}
          {problems.general.length > 0 && (
            <ul>
              {problems.general.map((message) => (
                <li key={message}>{message}</li>
              ))}
            </ul>
          )}
        </div>
      )}

      <fieldset>
        <legend>What</legend>
        {row('name', 'Name', text('name', { autoComplete: 'off', placeholder: 'e.g. fmnist-gamma-flops' }))}
        {row('tags', 'Tags', text('tags'), 'Comma-separated.')}
        {row(
          'dataset',
          'Dataset',
          text('dataset'),
          'fashion-mnist, mnist-idx:DIR, cifar10-bin:DIR, or synthetic:classes=3,size=8,channels=1,train=256,test=64,seed=1',
        )}
        {row('networkName', 'Seed network', select('networkName', SEED_NETWORKS))}
        {row('networkWidthMultiplier', 'Seed width multiplier', text('networkWidthMultiplier', { inputMode: 'decimal' }))}
      </fieldset>

      <fieldset>
        <legend>Regularizer</legend>
        {row('algorithm', 'Algorithm', select('algorithm', REGULARIZER_ALGORITHMS, (v) => chooseAlgorithm(v as RegularizerAlgorithm), ALGORITHM_LABELS))}
        {row('cost', 'Cost to reduce', select('cost', COST_KINDS, undefined, COST_LABELS))}
        {row(
          'hardware',
          'Latency hardware',
          <select {...fieldProps('hardware')} value={values.hardware} onChange={(event) => set('hardware', event.target.value)}>
            <option value="">default ({DEFAULT_LATENCY_HARDWARE})</option>
            {DEVICE_NAMES.map((device) => (
              <option key={device} value={device}>
                {device}
              </option>
            ))}
          </select>,
          'The device whose roofline latency every run records (and the target when the cost is latency).',
        )}
        {row(
          'thresholds',
          'Alive thresholds',
          <input
            type="text"
            {...fieldProps('thresholds')}
            value={values.thresholds}
            onChange={(event) => {
              setThresholdsEdited(true);
              set('thresholds', event.target.value);
            }}
          />,
          'Comma-separated; one run per threshold and strength.',
        )}
      </fieldset>

      <fieldset>
        <legend>Strengths</legend>
        <div className="radio-row" role="radiogroup" aria-label="Strength choice">
          <label>
            <input
              type="radio"
              name="strengthMode"
              value="grid"
              checked={values.strengthMode === 'grid'}
              onChange={() => set('strengthMode', 'grid')}
            />
            Log grid
          </label>
          <label>
            <input
              type="radio"
              name="strengthMode"
              value="values"
              checked={values.strengthMode === 'values'}
              onChange={() => set('strengthMode', 'values')}
            />
            Explicit list
          </label>
        </div>
        {values.strengthMode === 'grid' ? (
          <>
            {row('gridDecades', 'Decades', text('gridDecades', { inputMode: 'decimal' }), 'Orders of magnitude the grid spans.')}
            {row('gridPerDecade', 'Points per decade', text('gridPerDecade', { inputMode: 'numeric' }))}
            {row(
              'gridCenter',
              'Centre',
              text('gridCenter', { inputMode: 'decimal', placeholder: '1 / initial cost' }),
              'Leave empty to centre on 1 / (initial cost of the seed network), measured when the sweep starts.',
            )}
          </>
        ) : (
          row('strengthValues', 'Strengths', text('strengthValues'), 'Comma-separated, e.g. 1e-9, 3e-9, 1e-8.')
        )}
      </fieldset>

      <fieldset>
        <legend>Training</legend>
        {row(
          'length',
          'Length',
          <div className="inline-controls">
            {text('length', { inputMode: 'numeric' })}
            <select
              aria-label="Length unit"
              value={values.lengthUnit}
              onChange={(event) => set('lengthUnit', event.target.value as SweepFormValues['lengthUnit'])}
            >
              <option value="steps">steps</option>
              <option value="epochs">epochs</option>
            </select>
          </div>,
        )}
        {row('batchSize', 'Batch size', text('batchSize', { inputMode: 'numeric' }))}
        {row('learningRate', 'Learning rate (fixed)', text('learningRate', { inputMode: 'decimal' }))}
        {row('optimizer', 'Optimizer', select('optimizer', OPTIMIZERS))}
        {row('weightDecay', 'Weight decay', text('weightDecay', { inputMode: 'decimal' }))}
        {row('evalEvery', 'Evaluate every (steps)', text('evalEvery', { inputMode: 'numeric' }))}
        {row('checkpointEvery', 'Checkpoint every (steps)', text('checkpointEvery', { inputMode: 'numeric' }))}
        {row('seeds', 'Seeds', text('seeds'), 'Comma-separated; each grid point runs once per seed.')}
        {row('concurrency', 'Concurrent runs', text('concurrency', { inputMode: 'numeric' }))}
      </fieldset>

      <SweepPreview values={values} />

      <div className="form-actions">
        <button type="submit" className="primary" disabled={submitting}>
          {submitting ? 'Starting…' : 'Start sweep'}
        </button>
      </div>
    </form>
  );
}

function focusFirstInvalid() {
  // After React commits the error state, move focus to the first field that needs attention.
  requestAnimationFrame(() => document.querySelector<HTMLElement>('.sweep-form [aria-invalid="true"]')?.focus());
}
