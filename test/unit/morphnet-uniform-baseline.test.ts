import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { buildSeedModel } from '../../src/models/index.ts';
import { applyStructure, modelCost, parseStructure, uniformWidthMultiplierAtCost, type StructureJson } from '../../src/morphnet/index.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const seedOptions = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };

/** A learned structure of the reference CNN (Fashion-MNIST shapes) with given widths. */
function learned(widths: [number, number, number]): StructureJson {
  const seedWidths = [32, 64, 128];
  return parseStructure({
    format: 'morphsweep-structure',
    version: 1,
    algorithm: 'gamma',
    cost: 'flops',
    costName: 'FLOPs',
    batchSize: 1,
    threshold: 0.01,
    strength: 1e-7,
    step: 100,
    proposedCost: 0,
    layers: [
      ...widths.map((alive, i) => ({ name: `conv${i + 1}`, kind: 'conv', alive, seedWidth: seedWidths[i], fixed: false })),
      { name: 'logits', kind: 'dense', alive: 10, seedWidth: 10, fixed: true },
    ],
    seedNetwork: { name: 'reference-cnn', inputShape: [28, 28, 1], numClasses: 10 },
  });
}

/** FLOPs of the reference CNN by hand: 2 x 3 x 3 x in x out x output positions per conv, 2 x in x out for the dense. */
const handFlops = ([w1, w2, w3]: number[]) => 18 * (784 * 1 * w1 + 196 * w1 * w2 + 49 * w2 * w3) + 2 * w3 * 10;

describe('uniform-width baseline arm', () => {
  it('takes the largest uniform multiplier whose network costs no more than the structure', () => {
    const seed = () => buildSeedModel('reference-cnn', seedOptions);
    const structure = learned([16, 32, 128]);
    const structureFlops = modelCost(applyStructure(seed(), structure), { cost: 'flops' });
    assert.equal(structureFlops, handFlops([16, 32, 128]));
    assert.equal(structureFlops, 5_647_360);

    const multiplier = uniformWidthMultiplierAtCost(seed, structure, { cost: 'flops', targetCost: structureFlops });
    // By hand: widths round(32m)-round(64m)-round(128m) are 19-39-78 (5,566,980 FLOPs) for m in
    // [0.6055, 0.609375); at m = 0.609375 conv1 rounds up to 20 and 20-39-78 costs 5,718,684 > target.
    assert.ok(multiplier >= 0.609375 - 1e-3 && multiplier < 0.609375, `multiplier ${multiplier}`);
    const baseline = applyStructure(seed(), { ...structure, layers: structure.layers.map((l) => ({ ...l, alive: l.seedWidth })) }, { widthMultiplier: multiplier });
    const widths = baseline.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => (l.outputShape as number[]).at(-1));
    assert.deepEqual(widths, [19, 39, 78]);
    assert.equal(modelCost(baseline, { cost: 'flops' }), handFlops([19, 39, 78]));
    assert.equal(handFlops([19, 39, 78]), 5_566_980);
    assert.ok(handFlops([20, 39, 78]) > structureFlops);
  });

  it('expands to a second target the same way (shrink, then expand to the seed cost)', () => {
    const seed = () => buildSeedModel('reference-cnn', seedOptions);
    const seedFlops = handFlops([32, 64, 128]);
    const multiplier = uniformWidthMultiplierAtCost(seed, learned([16, 32, 128]), { cost: 'flops', targetCost: seedFlops });
    // The seed itself is the widest uniform network at the seed's cost.
    // conv3 is the first to widen: round(128m) = 129 from m = 128.5 / 128.
    assert.ok(multiplier >= 128.5 / 128 - 1e-3 && multiplier < 128.5 / 128, `multiplier ${multiplier}`);
  });
});
