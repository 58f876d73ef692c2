import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createNetworkRegularizer, gate, gatesOf, suggestStrengths } from '../../src/morphnet/index.ts';
import { buildSeedModel } from '../../src/models/index.ts';
import { chainModel, mergeModel, setGammas, setVariable } from '../support/morphnet-fixtures.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const close = (actual: number, expected: number, tolerance = 1e-4) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${actual} != ${expected}`);

function termAndGrads(regularizer: { regularizationTerm(): tf.Scalar }) {
  const { value, grads } = tf.variableGrads(() => regularizer.regularizationTerm());
  return { term: value.dataSync()[0], grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, Array.from(g.dataSync())])) };
}

const gradOf = (grads: Record<string, number[]>, suffix: string) => {
  const key = Object.keys(grads).find((k) => k.endsWith(suffix));
  assert.ok(key, `no gradient for ${suffix}: ${Object.keys(grads).join(', ')}`);
  return grads[key];
};

describe('gamma regularizer', () => {
  it('thresholds |gamma| and relaxes FLOPs bilinearly through flatten->dense', () => {
    const model = chainModel();
    setGammas(model, { bn1: [1, -0.1, 1, 0.1] });
    const regularizer = createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'flops', threshold: 0.5 });
    assert.equal(regularizer.name, 'GammaFlops');
    assert.equal(regularizer.costName, 'FLOPs');
    // Two alive channels: conv 2*36*9*2*2 = 2592; dense sees 9 positions x 2 channels: 2*18*3 = 108.
    assert.equal(regularizer.cost(), 2700);
    assert.deepEqual(regularizer.aliveCounts(), { conv1: 2, logits: 3 });
    assert.deepEqual(regularizer.costByLayer(), { conv1: 2592, logits: 108 });
    // term: conv 648*(A_in*R_out + A_out*R_in) = 648*(2*2.2 + 2*0); dense 2*(18*0 + 3*(9*2.2)).
    const { term, grads } = termAndGrads(regularizer);
    close(term, 648 * 4.4 + 2 * 3 * 19.8);
    // d/dgamma_i = sign(gamma_i) * (648*2 + 2*3*9).
    assert.deepEqual(gradOf(grads, 'bn1/gamma').map((g) => Math.round(g)), [1350, -1350, 1350, 1350]);
  });

  it('groups add operands by max, concat by slices, depthwise outputs with their input channel', () => {
    const model = mergeModel();
    setGammas(model, {
      a_bn: [1, 0, 0, 0.2],
      b_bn: [0, 0, 0.1, 0.2],
      c_bn: [1, 1],
      d_bn: [0, 0, 0.9, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    const regularizer = createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'flops', threshold: 0.5 });
    // Groups (max): {a0,b0,d0,d1}=1, {a1,b1,d2,d3}=0.9, {a2,b2,..}=0.1, {a3,b3,..}=0.2, {c0,d8,d9}=1, {c1,..}=1.
    // Alive: channels 0 and 1 of the add, both of c; the depthwise keeps 2 x 4 outputs.
    assert.deepEqual(regularizer.aliveCounts(), { a: 2, b: 2, c: 2, d: 8, logits: 2 });
    // a 2*16*3*2, b 2*16*9*3*2, c 2*16*3*2, d 2*16*9*8, dense 2*8*2.
    assert.equal(regularizer.cost(), 192 + 1728 + 192 + 2304 + 32);
    // R(add) = 1+0.9+0.1+0.2 = 2.2, R(cat) = 4.2, R(d out) = 8.4.
    // coeff 2*HW*kh*kw: a 32*(3*2.2), b 288*(3*2.2), c 32*(3*2), d 288*(4.2+8.4), dense 2*(2*8.4).
    const { term, grads } = termAndGrads(regularizer);
    close(term, 32 * 6.6 + 288 * 6.6 + 32 * 6 + 288 * 12.6 + 2 * 16.8);
    // Only the max of each group gets gradient: group {a0,b0,d0,d1} is carried by a_bn[0].
    // dTerm/dR_g for an add channel: 32*3 + 288*3 + 288*(1 + 2) + 2*2*2 = 1832.
    close(gradOf(grads, 'a_bn/gamma')[0], 1832);
    close(gradOf(grads, 'b_bn/gamma')[0], 0);
    close(gradOf(grads, 'd_bn/gamma')[2], 1832);
  });

  it('charges latency by the active roofline bound', () => {
    const model = chainModel();
    setGammas(model, { bn1: [1, 0.1, 1, 0.1] });
    const regularizer = createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'latency', hardware: 'K80', threshold: 0.5 });
    assert.equal(regularizer.costName, 'K80 Latency');
    // All four ops are memory bound on K80; bytes/480 with alive counts (see the cost test for the formula).
    close(regularizer.cost(), (4 * (72 + 36 + 72) + 4 * 144 + 4 * 144 + 4 * (18 + 54 + 3)) / 480);
    // Memory relaxation: conv 36*(2*2.2) + 144*2.2; bn 144*2.2*2; relu 288*2.2; dense 4*(3*19.8) + 4*19.8.
    const { term, grads } = termAndGrads(regularizer);
    close(term, (158.4 + 316.8 + 633.6 + 633.6 + 237.6 + 79.2) / 480);
    // It trains: the bound is chosen off the gradient path, and each gamma gets the memory bound's
    // slope, conv 36*2 + 144, bn 288, relu 288, dense (4*3 + 4)*9, over the bandwidth.
    const gammaKey = Object.keys(grads).find((name) => name.includes('bn1/gamma'))!;
    for (const value of grads[gammaKey]!) close(value, (72 + 144 + 288 + 288 + 144) / 480);
  });
});

describe('group-lasso regularizer', () => {
  it('uses the RMS of each output channel and its analytic gradient', () => {
    const input = tf.input({ shape: [3, 3, 1] });
    const y = tf.layers.conv2d({ name: 'conv', filters: 2, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ name: 'logits', units: 2 }).apply(pooled) as tf.SymbolicTensor });
    const kernel = Array.from({ length: 18 }, (_, i) => (i % 2 === 0 ? 0.05 * (i + 1) : -0.01 * i));
    setVariable(model, 'conv', 'kernel', kernel);
    const channel = (c: number) => kernel.filter((_, i) => i % 2 === c);
    const rms = [0, 1].map((c) => Math.sqrt(channel(c).reduce((s, w) => s + w * w, 0) / 9));
    const threshold = (rms[0] + rms[1]) / 2;
    const regularizer = createNetworkRegularizer(model, { algorithm: 'group-lasso', cost: 'flops', threshold });
    assert.deepEqual(regularizer.aliveCounts(), { conv: 1, logits: 2 });
    // conv coeff 2*9*9 = 162 with A_in = 1 input channel; dense 2*(2*R).
    const { term, grads } = termAndGrads(regularizer);
    close(term, (162 + 4) * (rms[0] + rms[1]));
    const grad = gradOf(grads, 'conv/kernel');
    kernel.forEach((w, i) => close(grad[i], ((162 + 4) * w) / (9 * rms[i % 2]), 1e-3));
  });
});

describe('logistic-sigmoid regularizer', () => {
  it('regularizes gate probabilities, groups tied gates by 1 - prod(1 - p), alive when any p >= threshold', () => {
    const input = tf.input({ shape: [2, 2, 1] });
    const branch = (name: string) => {
      const y = tf.layers.conv2d({ name, filters: 2, kernelSize: 1, useBias: false }).apply(input) as tf.SymbolicTensor;
      return gate(tf.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as tf.SymbolicTensor, { name: `${name}_gate` });
    };
    const sum = tf.layers.add({}).apply([branch('p'), branch('q')]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(sum) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ name: 'logits', units: 3 }).apply(pooled) as tf.SymbolicTensor });
    const logitsP = [Math.log(0.3 / 0.7), Math.log(0.05 / 0.95)];
    const logitsQ = [Math.log(0.2 / 0.8), Math.log(0.04 / 0.96)];
    setVariable(model, 'p_gate', 'logits', logitsP);
    setVariable(model, 'q_gate', 'logits', logitsQ);
    const regularizer = createNetworkRegularizer(model, { algorithm: 'logistic-sigmoid', cost: 'flops', threshold: 0.1 });
    // Group 0: 0.3 >= 0.1 alive; group 1: 0.05 and 0.04 both below, though 1-(0.95*0.96) = 0.088.
    assert.deepEqual(regularizer.aliveCounts(), { p: 1, q: 1, logits: 3 });
    const group = [1 - 0.7 * 0.8, 1 - 0.95 * 0.96];
    // p and q: coeff 2*4*1*1 = 8 with A_in = 1; dense: 2*(3*R).
    const perGroup = 8 + 8 + 6;
    const { term, grads } = termAndGrads(regularizer);
    close(term, perGroup * (group[0] + group[1]));
    // d group / d logit_p = (1 - p_q) * p_p (1 - p_p).
    const gradP = gradOf(grads, 'p_gate/logits');
    close(gradP[0], perGroup * 0.8 * 0.3 * 0.7);
    close(gradP[1], perGroup * 0.96 * 0.05 * 0.95);
    assert.equal(regularizer.name, 'LogisticSigmoidFlops');
    // FiGS's default alive threshold is 0.1; the other algorithms have no default.
    assert.equal(createNetworkRegularizer(model, { algorithm: 'logistic-sigmoid', cost: 'flops' }).options.threshold, 0.1);
    assert.throws(() => createNetworkRegularizer(model, { algorithm: 'group-lasso', cost: 'flops' }), /needs a threshold/);
  });

  it("switches off at inference exactly the channels it counts dead, so accuracy is measured on the structure's network", () => {
    const model = buildSeedModel('reference-cnn', { inputShape: [8, 8, 1], numClasses: 3, widthMultiplier: 0.25, gated: true });
    // p = 0.924 and 0.182 alternately: alive at threshold 0.1, dead at 0.5. FiGS's own inference rule
    // (logit > 0) would keep only the first half whatever the threshold.
    setVariable(model, 'bn1_gate', 'logits', Array.from({ length: 8 }, (_, channel) => (channel % 2 === 0 ? 2.5 : -1.5)));
    const gateOne = gatesOf(model).find((g) => g.name === 'bn1_gate')!;
    const channelsOn = () => Array.from(gateOne.inferenceMask().dataSync()).filter((value) => value > 0).length;
    assert.equal(channelsOn(), 4, 'a gate no regularizer governs keeps logit > 0');
    for (const [threshold, alive] of [[0.1, 8], [0.5, 4]] as const) {
      const regularizer = createNetworkRegularizer(model, { algorithm: 'logistic-sigmoid', cost: 'flops', threshold });
      assert.equal(regularizer.aliveCounts().conv1, alive, `threshold ${threshold}`);
      assert.equal(channelsOn(), alive, `threshold ${threshold}`);
      regularizer.dispose();
    }
  });
});

describe('descending the term', () => {
  /**
   * `steps` plain SGD steps on strength x term alone; returns the cost after each step. The learning
   * rate keeps each L1 step below the threshold, so a gamma oscillating around 0 stays dead.
   */
  function descend(strength: number, steps: number): number[] {
    const model = chainModel();
    setGammas(model, { bn1: [1, 0.8, 0.6, 0.3] });
    const regularizer = createNetworkRegularizer(model, { algorithm: 'gamma', cost: 'flops', threshold: 0.1 });
    const optimizer = tf.train.sgd(0.02);
    const costs = [regularizer.cost()];
    for (let i = 0; i < steps; i++) {
      optimizer.minimize(() => tf.mul(strength, regularizer.regularizationTerm()) as tf.Scalar);
      costs.push(regularizer.cost());
    }
    return costs;
  }

  it('leaves the cost alone at strength 0 and lowers it monotonically, more for larger strengths', () => {
    assert.deepEqual(descend(0, 3), [5400, 5400, 5400, 5400]);
    const finals = suggestStrengths(5400, { decades: 1, perDecade: 2 }).map((strength) => {
      const costs = descend(strength, 20);
      costs.slice(1).forEach((c, i) => assert.ok(c <= costs[i], `cost rose at step ${i} for strength ${strength}`));
      return costs.at(-1) as number;
    });
    finals.slice(1).forEach((c, i) => assert.ok(c <= finals[i], `final costs ${finals.join(', ')}`));
    assert.ok((finals.at(-1) as number) < 5400 && finals[0] > (finals.at(-1) as number));
  });
});

describe('suggestStrengths', () => {
  it('is a log grid centred on 1 / initial cost', () => {
    const grid = suggestStrengths(1e6, { decades: 1, perDecade: 2 });
    const expected = [1e-7, 10 ** -6.5, 1e-6, 10 ** -5.5, 1e-5];
    assert.equal(grid.length, 5);
    grid.forEach((s, i) => close(s, expected[i], 1e-9));
    assert.equal(suggestStrengths(1e9).length, 9);
    assert.throws(() => suggestStrengths(0), /positive/);
  });
});
