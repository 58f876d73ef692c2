import {
  InvalidSweepConfigError,
  parseSweepConfig,
  type ConfigProblem,
  type RegularizerAlgorithm,
  type SeedNetworkConfig,
  type SweepConfigInput,
} from '../../src/sweep/config.ts';

/**
 * The "new sweep" form's state is text as typed; this module turns it into a SweepConfigInput and
 * maps schema problems back onto the fields, so the browser validates with the API's own schema.
 */

export interface SweepFormValues {
  name: string;
  tags: string;
  dataset: string;
  networkName: string;
  networkWidthMultiplier: string;
  algorithm: RegularizerAlgorithm;
  cost: string;
  hardware: string;
  thresholds: string;
  strengthMode: 'grid' | 'values';
  gridDecades: string;
  gridPerDecade: string;
  gridCenter: string;
  strengthValues: string;
  lengthUnit: 'steps' | 'epochs';
  length: string;
  batchSize: string;
  learningRate: string;
  optimizer: string;
  weightDecay: string;
  evalEvery: string;
  checkpointEvery: string;
  seeds: string;
  concurrency: string;
}

export type SweepFormField = keyof SweepFormValues;

/** Alive thresholds that suit each regularizer (gamma/RMS are magnitudes, gates are probabilities). */
export const DEFAULT_THRESHOLDS: Record<RegularizerAlgorithm, string> = {
  gamma: '0.001, 0.01',
  'group-lasso': '0.001, 0.01',
  'logistic-sigmoid': '0.1',
};

export const DEFAULT_SWEEP_FORM: SweepFormValues = {
  name: '',
  tags: '',
  dataset: 'fashion-mnist',
  networkName: 'reference-cnn',
  networkWidthMultiplier: '1',
  // FiGS (logistic-sigmoid gates) is the regularizer MorphNet recommends.
  algorithm: 'logistic-sigmoid',
  cost: 'flops',
  hardware: '',
  thresholds: DEFAULT_THRESHOLDS['logistic-sigmoid'],
  strengthMode: 'grid',
  gridDecades: '2',
  gridPerDecade: '2',
  gridCenter: '',
  strengthValues: '',
  lengthUnit: 'steps',
  length: '300',
  batchSize: '64',
  learningRate: '0.05',
  optimizer: 'momentum',
  weightDecay: '0.0005',
  evalEvery: '50',
  checkpointEvery: '50',
  seeds: '0',
  concurrency: '4',
};

/** Empty text means "not given"; anything else must read as a number (NaN lets the schema say so). */
function optionalNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text.trim());
}

function numberList(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter((item) => item !== '')
    .map(Number);
}

export function formToConfig(values: SweepFormValues): SweepConfigInput {
  const length = optionalNumber(values.length);
  return {
    name: values.name,
    tags: values.tags
      .split(',')
      .map((tag) => tag.trim())
      .filter((tag) => tag !== ''),
    dataset: values.dataset.trim(),
    network: {
      name: values.networkName as SeedNetworkConfig['name'],
      widthMultiplier: optionalNumber(values.networkWidthMultiplier),
    },
    regularizer: {
      algorithm: values.algorithm,
      cost: values.cost as SweepConfigInput['regularizer']['cost'],
      hardware: values.hardware.trim() === '' ? undefined : values.hardware.trim(),
    },
    thresholds: numberList(values.thresholds),
    strengths:
      values.strengthMode === 'grid'
        ? {
            grid: {
              decades: optionalNumber(values.gridDecades),
              perDecade: optionalNumber(values.gridPerDecade),
              center: optionalNumber(values.gridCenter),
            },
          }
        : { values: numberList(values.strengthValues) },
    training: {
      ...(values.lengthUnit === 'steps' ? { steps: length } : { epochs: length }),
      batchSize: optionalNumber(values.batchSize),
      learningRate: optionalNumber(values.learningRate),
      optimizer: values.optimizer as SweepConfigInput['training']['optimizer'],
      weightDecay: optionalNumber(values.weightDecay),
      evalEvery: optionalNumber(values.evalEvery),
      checkpointEvery: optionalNumber(values.checkpointEvery),
    },
    seeds: numberList(values.seeds),
    concurrency: optionalNumber(values.concurrency),
  };
}

/** Config path prefix -> the form field that edits it (longest prefix wins). */
const FIELD_OF_PATH: [string, SweepFormField][] = [
  ['name', 'name'],
  ['tags', 'tags'],
  ['dataset', 'dataset'],
  ['network.name', 'networkName'],
  ['network.widthMultiplier', 'networkWidthMultiplier'],
  ['regularizer.algorithm', 'algorithm'],
  ['regularizer.cost', 'cost'],
  ['regularizer.hardware', 'hardware'],
  ['thresholds', 'thresholds'],
  ['strengths.grid.decades', 'gridDecades'],
  ['strengths.grid.perDecade', 'gridPerDecade'],
  ['strengths.grid.center', 'gridCenter'],
  ['strengths.values', 'strengthValues'],
  ['training.steps', 'length'],
  ['training.epochs', 'length'],
  ['training.batchSize', 'batchSize'],
  ['training.learningRate', 'learningRate'],
  ['training.optimizer', 'optimizer'],
  ['training.weightDecay', 'weightDecay'],
  ['training.evalEvery', 'evalEvery'],
  ['training.checkpointEvery', 'checkpointEvery'],
  // "give exactly one of training.steps or training.epochs" is reported on `training` itself.
  ['training', 'length'],
  ['seeds', 'seeds'],
  ['concurrency', 'concurrency'],
];

export function fieldOfPath(path: string): SweepFormField | null {
  let best: [string, SweepFormField] | null = null;
  for (const entry of FIELD_OF_PATH) {
    const [prefix] = entry;
    if ((path === prefix || path.startsWith(`${prefix}.`)) && (!best || prefix.length > best[0].length)) best = entry;
  }
  return best ? best[1] : null;
}

export interface FormProblems {
  byField: Partial<Record<SweepFormField, string[]>>;
  /** Problems no field owns (shown above the form). */
  general: string[];
}

export function groupProblems(problems: ConfigProblem[]): FormProblems {
  const grouped: FormProblems = { byField: {}, general: [] };
  for (const problem of problems) {
    const field = fieldOfPath(problem.path);
    const where = field ? null : problem.path;
    if (field) (grouped.byField[field] ??= []).push(problem.message);
    else grouped.general.push(where ? `${where}: ${problem.message}` : problem.message);
  }
  return grouped;
}

/** Validate in the browser with the very function the API applies, so both list the same problems. */
export function validateSweepForm(values: SweepFormValues): { config: SweepConfigInput; problems: ConfigProblem[] } {
  const config = formToConfig(values);
  try {
    parseSweepConfig(config);
    return { config, problems: [] };
  } catch (error) {
    if (error instanceof InvalidSweepConfigError) return { config, problems: error.problems };
    throw error;
  }
}
