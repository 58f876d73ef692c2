/** MorphNet and FiGS on TensorFlow.js: depends on nothing but TF.js and zod. */
export { createNetworkRegularizer, NetworkRegularizerOptionsSchema } from './network-regularizer.ts';
export type { NetworkRegularizer, NetworkRegularizerOptions } from './network-regularizer.ts';
export { modelCost, modelCostBreakdown, COST_KINDS } from './costs.ts';
export type { CostKind, CostOptions, CostBreakdown } from './costs.ts';
export { REGULARIZER_ALGORITHMS } from './regularizers.ts';
export type { RegularizerAlgorithm } from './regularizers.ts';
export { DEVICES, DEVICE_NAMES, getDevice } from './devices.ts';
export type { DeviceSpec } from './devices.ts';
export { LogisticSigmoidGate, gate, gatesOf, gateSampleCounts, setGateSampleCounts } from './gate.ts';
export type { LogisticSigmoidGateArgs } from './gate.ts';
export { addGates } from './add-gates.ts';
export {
  exportStructure,
  parseStructure,
  toMorphNetFormat,
  StructureJsonSchema,
  STRUCTURE_FORMAT,
  STRUCTURE_VERSION,
} from './structure.ts';
export type { StructureJson, StructureLayer, ExportMeta } from './structure.ts';
export {
  applyStructure,
  largestWidthMultiplierUnderCost,
  NARROWEST_WIDTH_MULTIPLIER,
  scaledWidth,
  uniformStructureOf,
  uniformWidthMultiplierAtCost,
} from './apply-structure.ts';
export type { ApplyStructureOptions, WidthSearchOptions } from './apply-structure.ts';
export { suggestStrengths } from './strengths.ts';
export type { StrengthGridOptions } from './strengths.ts';
export { buildChannelGraph } from './graph.ts';
export type { ChannelGraph, GraphLayer } from './graph.ts';
export { RegularizerSetupError, StructureError, UnknownDeviceError, UnsupportedLayerError } from './errors.ts';
