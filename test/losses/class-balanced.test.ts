import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { classBalanced, classBalancedWeights, ClassBalancedConfig } from '../../src/losses/class-balanced.js';
import { perExampleClassWeights } from '../../src/losses/weighted-cross-entropy.js';
import { crossEntropyPerExample } from '../../src/losses/cross-entropy.js';
import { reduceLoss } from '../../src/losses/reduce.js';
import {
  COUNTS,
  Y,
  Z,
  expectAllClose,
  finiteDifferenceGrad,
  gradOfMean,
  maxAbsDiff,
  mean,
  nll,
  perExampleValues,
  softplus,
  type Matrix,
} from './helpers/reference.js';

const TOL = 1e-5;

/** w_j = (1 − β)/(1 − β^{n_j}), normalised to sum to C, in float64 (β in (0, 1)). */
const weightsRef = (counts: readonly number[], beta: number): number[] => {
  const raw = counts.map((n) => (1 - beta) / (1 - beta ** n));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => (r / total) * counts.length);
};

/** Per-example CB loss in float64: softmax CE, one-vs-all BCE, or sigmoid focal with p_t = σ(±z). */
const reference = (z: Matrix, y: readonly number[], w: readonly number[], variant: string, gamma: number): number[] =>
  z.map((row, i) => {
    const wy = w[y[i]!]!;
    if (variant === 'softmax') return wy * nll(row, y[i]!);
    let sum = 0;
    row.forEach((zj, j) => {
      const target = j === y[i] ? 1 : 0;
      const bce = softplus(zj) - target * zj;
      const p = 1 / (1 + Math.exp(-zj));
      const pt = target === 1 ? p : 1 - p;
      sum += (variant === 'focal' ? (1 - pt) ** gamma : 1) * bce;
    });
    return wy * sum;
  });

beforeAll(async () => {
  await initBackend('cpu');
});

describe('classBalancedWeights', () => {
  it('golden: CIFAR-10-LT ρ = 100 counts, β = 0.9999 (numpy-pinned)', () => {
    // python3: n = [5000,2997,1796,1077,645,387,232,139,83,50]; w = (1-β)/(1-β**n); w/w.sum()*10
    const pinned = [
      0.050611361216392606, 0.07689979460472873, 0.12113387289908852, 0.19503666572291045, 0.31880537306900303,
      0.5245898532697837, 0.8683489410056613, 1.442627270007183, 2.4092230511593415, 3.9927238170459063,
    ];
    expectAllClose(classBalancedWeights([5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50], 0.9999), pinned, 1e-12);
  });

  it('golden: β in {0.9, 0.99, 0.9999} on the 4-class counts match the formula; β = 0 is all ones, β = 1 inverse frequency', () => {
    for (const beta of [0.9, 0.99, 0.9999]) expectAllClose(classBalancedWeights(COUNTS, beta), weightsRef(COUNTS, beta), 1e-12);
    expectAllClose(classBalancedWeights(COUNTS, 0), [1, 1, 1, 1], 1e-12);
    // python3: (1/n)/(1/n).sum()*4
    expectAllClose(classBalancedWeights(COUNTS, 1), [0.08540925266903915, 0.21352313167259787, 0.8540925266903915, 2.8469750889679712], 1e-12);
  });

  it('counts an empty class as one sample', () => {
    expect(classBalancedWeights([10, 0], 0.9)).toEqual(classBalancedWeights([10, 1], 0.9));
  });
});

describe('classBalanced', () => {
  it('defaults to β = 0.9999, softmax, γ = 1 (cifar_im_trainval_cb.sh)', () => {
    expect(classBalanced.defaults).toEqual({ beta: 0.9999, variant: 'softmax', gamma: 1 });
  });

  it('golden: the three variants at β = 0.99 (numpy-pinned) and the float64 formula', () => {
    // python3 (Z, y, n as in helpers/reference.ts): wb = cb weights β=0.99;
    //   softmax wb[y]*ce; sigmoid wb[y]*Σ_j bce; focal wb[y]*Σ_j (1−p_t)**γ·bce
    const pinned: Record<string, number[]> = {
      softmax: [0.045633130718133186, 1.5042564808457128, 0.44430781336212155],
      sigmoid: [0.27952584178704143, 6.542099475138963, 0.8743996332930434],
      focal: [0.14198544271482968, 3.24004578900752, 0.6214168278295681],
    };
    const w = weightsRef(COUNTS, 0.99);
    for (const variant of ['softmax', 'sigmoid', 'focal'] as const) {
      const prepared = classBalanced.prepare({ beta: 0.99, variant, gamma: 1 }, COUNTS);
      const got = perExampleValues(classBalanced, prepared, Z, Y);
      expectAllClose(got, pinned[variant]!, TOL);
      expectAllClose(got, reference(Z, Y, w, variant, 1), TOL);
    }
    const focal2 = classBalanced.prepare({ beta: 0.99, variant: 'focal', gamma: 2 }, COUNTS);
    expectAllClose(perExampleValues(classBalanced, focal2, Z, Y), [0.07860462868829425, 1.6930406577273172, 0.5026922470373729], TOL);
  });

  it('golden: both reductions users meet (batch mean as the CB code, weighted mean as PyTorch/DRW)', () => {
    const w = weightsRef(COUNTS, 0.99);
    const ce = Z.map((row, i) => nll(row, Y[i]!));
    const wy = Y.map((y) => w[y]!);
    const weightedSum = ce.reduce((s, v, i) => s + wy[i]! * v, 0);
    tf.tidy(() => {
      const logits = tf.tensor2d(Z);
      const labels = tf.tensor1d(Y, 'int32');
      const prepared = classBalanced.prepare({ beta: 0.99, variant: 'softmax', gamma: 1 }, COUNTS);
      const per = classBalanced.perExample({ logits, labels }, prepared);
      const exampleWeights = perExampleClassWeights(labels, prepared.classWeights);
      expectAllClose(exampleWeights.dataSync(), wy, 1e-6);
      expectAllClose(reduceLoss(per, 'mean').dataSync(), [weightedSum / 3], TOL);
      expectAllClose(reduceLoss(per, 'sum').dataSync(), [weightedSum], TOL);
      const pytorch = weightedSum / wy.reduce((a, b) => a + b, 0);
      expectAllClose(reduceLoss(crossEntropyPerExample(logits, labels), 'weighted-mean', exampleWeights).dataSync(), [pytorch], TOL);
      expectAllClose(tf.div(tf.sum(per), tf.sum(exampleWeights)).dataSync(), [pytorch], TOL);
    });
  });

  it('gradient: tf.grad of the mean matches central differences for every variant', () => {
    const w = weightsRef(COUNTS, 0.99);
    for (const [variant, gamma] of [
      ['softmax', 1],
      ['sigmoid', 1],
      ['focal', 1],
      ['focal', 2],
    ] as const) {
      const prepared = classBalanced.prepare({ beta: 0.99, variant, gamma }, COUNTS);
      const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, w, variant, gamma)), Z);
      expect(maxAbsDiff(gradOfMean(classBalanced, prepared, Z, Y), numeric)).toBeLessThan(1e-3);
    }
  });

  it('rejects β outside [0, 1] and an unknown variant with the dotted path', () => {
    expect(decodeWith(ClassBalancedConfig, { ...classBalanced.defaults, beta: 1.5 }, 'lossConfig')).toEqual(
      E.left('lossConfig.beta: expected a number in [0, 1], got 1.5'),
    );
    expect(decodeWith(ClassBalancedConfig, { ...classBalanced.defaults, variant: 'softmx' })).toEqual(
      E.left('variant: expected "softmax" | "sigmoid" | "focal", got "softmx"'),
    );
  });
});
