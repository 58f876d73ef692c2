import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { epochOrder, type Dataset } from '../../src/data/index.ts';
import { learnStructure, NonFiniteLossError, retrain, type TrainProgress } from '../../src/train/index.ts';
import { buildTinyCnn, setUpTinyTraining } from './train-fixtures.ts';

let dataset: Dataset;
before(async () => {
  dataset = await setUpTinyTraining();
});

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * A stand-in gamma regularizer (sum of |gamma|, alive = |gamma| > 0.1, cost = alive channels) so these
 * tests exercise the loop's mechanics without depending on src/morphnet's cost models.
 */
function gammaL1Regularizer(model: tf.LayersModel) {
  const gammas = model.weights.filter((variable) => variable.originalName.endsWith('/gamma'));
  const aliveCounts = () =>
    Object.fromEntries(
      gammas.map((gamma) => [gamma.originalName, Array.from(gamma.read().dataSync()).filter((value) => Math.abs(value) > 0.1).length]),
    );
  return {
    regularizationTerm: () => tf.tidy(() => tf.addN(gammas.map((gamma) => tf.sum(tf.abs(gamma.read())))) as tf.Scalar),
    aliveCounts,
    cost: () => Object.values(aliveCounts()).reduce((sum, count) => sum + count, 0),
    costByLayer: aliveCounts,
  };
}

describe('training loop', () => {
  it('lowers the task loss and beats chance accuracy', async () => {
    const events: TrainProgress[] = [];
    const result = await retrain({
      model: buildTinyCnn(dataset),
      dataset,
      steps: 40,
      batchSize: 32,
      learningRate: 0.05,
      evalEvery: 20,
      onProgress: (progress) => {
        events.push(progress);
      },
    });
    assert.equal(result.steps, 40);
    assert.deepEqual(events.map((event) => event.step), Array.from({ length: 40 }, (_, i) => i + 1));
    const firstLoss = mean(events.slice(0, 5).map((event) => event.taskLoss));
    const lastLoss = mean(events.slice(-5).map((event) => event.taskLoss));
    assert.ok(lastLoss < firstLoss / 2, `task loss fell only from ${firstLoss} to ${lastLoss}`);
    assert.deepEqual(events.filter((event) => event.valAccuracy !== undefined).map((event) => event.step), [20, 40]);
    const chance = 1 / dataset.numClasses;
    assert.ok(result.testAccuracy > chance + 0.3, `test accuracy ${result.testAccuracy} is near chance ${chance}`);
    assert.equal(result.valAccuracy, events.at(-1)!.valAccuracy);
    assert.equal(result.regLoss, 0);
  });

  it('leaves the cost alone at strength 0 and lowers it monotonically across a log grid of strengths', async () => {
    const initialCost = gammaL1Regularizer(buildTinyCnn(dataset)).cost();
    // Plain SGD keeps lr x strength (the L1 step on a gamma) below the 0.1 alive threshold at every
    // grid point; above it gammas oscillate around zero and larger strengths can look less pruned.
    const strengths = [0, 0.05, 0.1, 0.2, 0.4];
    const finalCosts: number[] = [];
    for (const strength of strengths) {
      const model = buildTinyCnn(dataset);
      const result = await learnStructure({
        model,
        dataset,
        regularizer: gammaL1Regularizer(model),
        strength,
        steps: 30,
        batchSize: 32,
        optimizer: 'sgd',
        learningRate: 0.1,
        evalEvery: 1000,
      });
      assert.ok(Number.isFinite(result.taskLoss));
      finalCosts.push(result.finalCost);
    }
    assert.equal(finalCosts[0], initialCost, `strength 0 changed the cost: ${finalCosts}`);
    for (let i = 1; i < finalCosts.length; i++) {
      assert.ok(finalCosts[i] <= finalCosts[i - 1], `cost rose from strength ${strengths[i - 1]} to ${strengths[i]}: ${finalCosts}`);
    }
    assert.ok(finalCosts.at(-1)! < initialCost / 2, `the largest strength barely pruned: ${finalCosts}`);
  });

  it('stops with NonFiniteLossError at the step where a huge learning rate blows the loss up', async () => {
    const events: TrainProgress[] = [];
    const failure = await retrain({
      model: buildTinyCnn(dataset),
      dataset,
      steps: 100,
      batchSize: 32,
      optimizer: 'sgd',
      learningRate: 1e10,
      evalEvery: 1000,
      onProgress: (progress) => {
        events.push(progress);
      },
    }).then(
      () => assert.fail('training with learning rate 1e10 finished without a non-finite loss'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof NonFiniteLossError, `expected NonFiniteLossError, got ${failure}`);
    assert.ok(failure.step > 1 && failure.step <= 100);
    assert.equal(events.length, failure.step - 1, 'the failing step must not be reported as progress');
    assert.ok(events.every((event) => Number.isFinite(event.taskLoss + event.regLoss + event.weightDecayLoss)));
    assert.match(failure.message, new RegExp(`step ${failure.step}.*lower the learning rate`));
  });

  it('reports NonFiniteLossError at exactly the first step whose batch holds a corrupt (infinite) pixel', async () => {
    const poisoned = 37;
    const images = dataset.train.images.slice();
    images[poisoned * 64 + 5] = Infinity; // 8x8x1 images
    const corruptDataset = { ...dataset, train: { ...dataset.train, images } };
    const batchSize = 32;
    const stepsPerEpoch = Math.floor(dataset.train.count / batchSize);
    const order = epochOrder(dataset.train.count, 0, 0);
    const expectedStep = Math.floor(order.indexOf(poisoned) / batchSize) + 1;
    assert.ok(expectedStep <= stepsPerEpoch, 'the poisoned example falls in the dropped remainder; pick another');
    await assert.rejects(
      retrain({ model: buildTinyCnn(dataset), dataset: corruptDataset, steps: stepsPerEpoch, batchSize, seed: 0, evalEvery: 1000 }),
      (error: unknown) => error instanceof NonFiniteLossError && error.step === expectedStep,
    );
  });

  it('keeps the tensor count flat across steps, evaluations and checkpoints, and frees everything after', async () => {
    const model = buildTinyCnn(dataset);
    const regularizer = gammaL1Regularizer(model);
    const tensorsBefore = tf.memory().numTensors;
    const tensorsPerStep: number[] = [];
    await learnStructure({
      model,
      dataset,
      regularizer,
      strength: 0.01,
      steps: 24,
      batchSize: 32,
      optimizer: 'adam',
      learningRate: 0.01,
      evalEvery: 8,
      checkpoint: { every: 8, load: async () => null, save: async () => {} },
      onProgress: () => {
        tensorsPerStep.push(tf.memory().numTensors);
      },
    });
    assert.deepEqual(new Set(tensorsPerStep), new Set([tensorsPerStep[0]]), `tensor counts per step: ${tensorsPerStep}`);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors left behind after training returned');
  });

  it('turns epochs into whole steps of full batches', async () => {
    const result = await retrain({ model: buildTinyCnn(dataset), dataset, epochs: 1.5, batchSize: 32, evalEvery: 1000 });
    assert.equal(dataset.train.count, 192);
    assert.equal(result.steps, 9); // 192 / 32 = 6 steps per epoch
  });
});
