import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import {
  inverseFrequencyWeights,
  perExampleClassWeights,
  weightedCrossEntropy,
  WeightedCrossEntropyConfig,
} from '../../src/losses/weighted-cross-entropy.js';
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
  type Matrix,
} from './helpers/reference.js';

const TOL = 1e-5;

const reference = (z: Matrix, y: readonly number[], w: readonly number[]): number[] => z.map((row, i) => w[y[i]!]! * nll(row, y[i]!));

beforeAll(async () => {
  await initBackend('cpu');
});

describe('inverseFrequencyWeights', () => {
  it('golden: q = 1 is 1/n_j normalised to sum C; q = 1.2 is GRW (numpy-pinned)', () => {
    // python3: (1/n)/(1/n).sum()*4 ; q = n**-1.2; q/q.sum()*4   with n = [100, 40, 10, 3]
    expectAllClose(inverseFrequencyWeights(COUNTS), [0.08540925266903915, 0.21352313167259787, 0.8540925266903915, 2.8469750889679712], 1e-12);
    expectAllClose(inverseFrequencyWeights(COUNTS, 1.2), [0.045942722956542885, 0.1379573177668582, 0.7281430885695174, 3.0879568707070817], 1e-12);
    expectAllClose(inverseFrequencyWeights(COUNTS, 0), [1, 1, 1, 1], 1e-12);
  });
});

describe('weightedCrossEntropy', () => {
  it('defaults to inverse frequency with exponent 1', () => {
    expect(weightedCrossEntropy.defaults).toEqual({ weights: 'inverse-frequency', exponent: 1 });
  });

  it('golden: inverse-frequency and custom weights return w_y · CE (numpy-pinned)', () => {
    // python3: inv[y]*ce and w[y]*ce with w = [0.5, 1, 1.5, 2]
    const inv = perExampleValues(weightedCrossEntropy, weightedCrossEntropy.prepare(weightedCrossEntropy.defaults, COUNTS), Z, Y);
    expectAllClose(inv, [0.030098727809545672, 1.5494318513946914, 0.3825513837739944], TOL);
    const w = [0.5, 1, 1.5, 2];
    const custom = perExampleValues(weightedCrossEntropy, weightedCrossEntropy.prepare({ weights: w, exponent: 1 }, COUNTS), Z, Y);
    expectAllClose(custom, [0.17620296905171529, 1.0884758756047708, 1.7916156473415403], TOL);
    expectAllClose(custom, reference(Z, Y, w), TOL);
  });

  it('golden: batch-mean (TF) and weighted-mean (PyTorch) reductions', () => {
    const w = [0.5, 1, 1.5, 2];
    const ref = reference(Z, Y, w);
    const wy = Y.map((y) => w[y]!);
    const total = ref.reduce((a, b) => a + b, 0);
    tf.tidy(() => {
      const logits = tf.tensor2d(Z);
      const labels = tf.tensor1d(Y, 'int32');
      const prepared = weightedCrossEntropy.prepare({ weights: w, exponent: 1 }, COUNTS);
      const per = weightedCrossEntropy.perExample({ logits, labels }, prepared);
      const exampleWeights = perExampleClassWeights(labels, prepared.classWeights);
      expectAllClose(exampleWeights.dataSync(), wy, 0);
      expectAllClose(reduceLoss(per, 'none').dataSync(), ref, TOL);
      expectAllClose(reduceLoss(per, 'sum').dataSync(), [total], TOL);
      expectAllClose(reduceLoss(per, 'mean').dataSync(), [total / 3], TOL);
      const pytorch = total / wy.reduce((a, b) => a + b, 0);
      expectAllClose(reduceLoss(crossEntropyPerExample(logits, labels), 'weighted-mean', exampleWeights).dataSync(), [pytorch], TOL);
      expectAllClose(tf.div(tf.sum(per), tf.sum(exampleWeights)).dataSync(), [pytorch], TOL);
    });
  });

  it('gradient: tf.grad of the mean matches central differences', () => {
    const prepared = weightedCrossEntropy.prepare(weightedCrossEntropy.defaults, COUNTS);
    const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, prepared.classWeights)), Z);
    expect(maxAbsDiff(gradOfMean(weightedCrossEntropy, prepared, Z, Y), numeric)).toBeLessThan(1e-3);
  });

  it('rejects a negative custom weight with the dotted path of the entry', () => {
    expect(decodeWith(WeightedCrossEntropyConfig, { weights: [1, -2, 1, 1], exponent: 1 }, 'lossConfig')).toEqual(
      E.left('lossConfig.weights.1: expected a number ≥ 0, got -2'),
    );
    expect(decodeWith(WeightedCrossEntropyConfig, { weights: 'inverse', exponent: 1 })).toEqual(
      E.left('weights: expected "inverse-frequency" or an array of weights ≥ 0, got "inverse"'),
    );
  });

  it('rejects custom weights of the wrong length when prepared', () => {
    expect(() => weightedCrossEntropy.prepare({ weights: [1, 2, 3], exponent: 1 }, COUNTS)).toThrow(
      'weighted-ce.weights: expected 4 values (one per class), got 3.',
    );
  });
});
