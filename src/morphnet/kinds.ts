/**
 * The names of MorphNet's regularizers and costs. Free of TF.js so that pure code (the sweep config
 * schema, the web app) shares them with the library instead of repeating them.
 */
export const REGULARIZER_ALGORITHMS = ['gamma', 'group-lasso', 'logistic-sigmoid'] as const;
export const COST_KINDS = ['flops', 'model-size', 'latency'] as const;

export type RegularizerAlgorithm = (typeof REGULARIZER_ALGORITHMS)[number];
export type CostKind = (typeof COST_KINDS)[number];
