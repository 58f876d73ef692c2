import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/types.ts';

/**
 * Problems that would otherwise surface as an opaque shape error deep inside TF.js, or worse, as
 * silently wrong training (a softmax output fed to a loss that expects logits).
 */
export function modelDatasetProblems(model: tf.LayersModel, dataset: Dataset, batchSize: number): string[] {
  const problems: string[] = [];
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    problems.push(
      `model "${model.name}" has ${model.inputs.length} inputs and ${model.outputs.length} outputs; ` +
        'the training loop needs one image input and one logits output',
    );
    return problems;
  }
  const inputShape = model.inputs[0].shape.slice(1);
  if (inputShape.join(',') !== dataset.inputShape.join(',')) {
    problems.push(
      `model input shape [${inputShape}] does not match dataset "${dataset.spec}" images [${dataset.inputShape}]; ` +
        'build the model with the dataset\'s inputShape',
    );
  }
  const outputShape = model.outputs[0].shape;
  if (outputShape.length !== 2 || outputShape[1] !== dataset.numClasses) {
    problems.push(
      `model output shape [${outputShape}] is not [batch, ${dataset.numClasses}] for the ${dataset.numClasses} ` +
        `classes of "${dataset.spec}"; build the model with numClasses ${dataset.numClasses}`,
    );
  }
  const outputLayer = model.outputs[0].sourceLayer;
  if (outputLayer.getConfig().activation === 'softmax') {
    problems.push(
      `output layer "${outputLayer.name}" applies softmax, but the loop computes softmax cross-entropy from ` +
        'logits; remove the activation (predictions take argmax of logits)',
    );
  }
  if (batchSize > dataset.train.count) {
    problems.push(
      `batchSize ${batchSize} exceeds the ${dataset.train.count} training examples of "${dataset.spec}"; ` +
        `use batchSize <= ${dataset.train.count} or load more data`,
    );
  }
  return problems;
}
