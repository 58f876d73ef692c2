import type * as tf from '@tensorflow/tfjs';
import { UnsupportedLayerError } from './errors.ts';

/** How the crawler treats a layer's channels (and, in costs.ts, what the layer costs). */
export type LayerRole =
  | 'input' // a model input or an input-boundary layer: fixed, unregularized channels
  | 'conv'
  | 'depthwise'
  | 'dense'
  | 'batch-norm'
  | 'activation'
  | 'gate'
  | 'add'
  | 'multiply'
  | 'tie' // other elementwise merges (average, maximum, minimum): channels tied, no cost
  | 'concat'
  | 'flatten'
  | 'passthrough'; // pooling, dropout, padding, noise: channels pass through, no cost

const ROLE_BY_CLASS: Record<string, LayerRole> = {
  InputLayer: 'input',
  Conv2D: 'conv',
  DepthwiseConv2D: 'depthwise',
  Dense: 'dense',
  BatchNormalization: 'batch-norm',
  Activation: 'activation',
  ReLU: 'activation',
  LeakyReLU: 'activation',
  PReLU: 'activation',
  ELU: 'activation',
  ThresholdedReLU: 'activation',
  Softmax: 'activation',
  LogisticSigmoidGate: 'gate',
  Add: 'add',
  Multiply: 'multiply',
  Average: 'tie',
  Maximum: 'tie',
  Minimum: 'tie',
  Concatenate: 'concat',
  Flatten: 'flatten',
  MaxPooling2D: 'passthrough',
  AveragePooling2D: 'passthrough',
  GlobalAveragePooling2D: 'passthrough',
  GlobalMaxPooling2D: 'passthrough',
  Dropout: 'passthrough',
  SpatialDropout1D: 'passthrough',
  GaussianNoise: 'passthrough',
  GaussianDropout: 'passthrough',
  AlphaDropout: 'passthrough',
  ZeroPadding2D: 'passthrough',
  Cropping2D: 'passthrough',
};

const BOUNDARY_FIX =
  'move the boundary so the regularized subgraph excludes it (inputBoundary: [a layer after it] ' +
  'or outputBoundary: [a layer before it])';

const FIX_BY_CLASS: Record<string, string> = {
  SeparableConv2D: `build it as a DepthwiseConv2D followed by a 1x1 Conv2D (MorphNet prunes those), or ${BOUNDARY_FIX}`,
  Reshape: `use Flatten (channels-last) before a Dense layer instead of Reshape, or ${BOUNDARY_FIX}`,
  Conv2DTranspose: `transposed convolutions are not supported yet; ${BOUNDARY_FIX}`,
  LayerNormalization: `use BatchNormalization (it keeps channels independent), or ${BOUNDARY_FIX}`,
  Functional: `nested models are not crawled; build the model flat with the functional API, or ${BOUNDARY_FIX}`,
  Sequential: `nested models are not crawled; build the model flat with the functional API, or ${BOUNDARY_FIX}`,
};

/** Layer classes the crawler has a channel rule for (what a user's model may hold). */
export const SUPPORTED_LAYER_CLASSES: readonly string[] = Object.keys(ROLE_BY_CLASS);

/** What to do about a layer class the crawler has no rule for. */
export function unsupportedLayerFix(className: string): string {
  return (
    (Object.hasOwn(FIX_BY_CLASS, className) ? FIX_BY_CLASS[className] : undefined) ??
    `no channel-grouping rule exists for ${className} (supported: ${SUPPORTED_LAYER_CLASSES.join(', ')}); ${BOUNDARY_FIX}`
  );
}

export function roleOf(layer: tf.layers.Layer): LayerRole {
  const className = layer.getClassName();
  const role = ROLE_BY_CLASS[className];
  if (role) return role;
  throw new UnsupportedLayerError(layer.name, className, unsupportedLayerFix(className));
}

/** MorphNet's latency cost counts memory traffic for Relu and Relu6 ops only (cost_calculator.py). */
export function isReluActivation(activation: unknown): boolean {
  return activation === 'relu' || activation === 'relu6';
}
