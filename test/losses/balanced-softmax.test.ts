import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { balancedSoftmax, BalancedSoftmaxConfig } from '../../src/losses/balanced-softmax.js';
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

/** −log( n_y e^{z_y} / Σ_j n_j e^{z_j} ) in float64. */
const reference = (z: Matrix, y: readonly number[], counts: readonly number[]): number[] =>
  z.map((row, i) => {
    const denominator = row.reduce((s, v, j) => s + counts[j]! * Math.exp(v), 0);
    return -Math.log((counts[y[i]!]! * Math.exp(row[y[i]!]!)) / denominator);
  });

beforeAll(async () => {
  await initBackend('cpu');
});

describe('balancedSoftmax', () => {
  it('has no hyper-parameters', () => {
    expect(balancedSoftmax.defaults).toEqual({});
  });

  it('golden: CE on z + log n (numpy-pinned) and the n_j-weighted softmax formula', () => {
    // python3: ce(Z + np.log(n))
    const got = perExampleValues(balancedSoftmax, balancedSoftmax.prepare({}, COUNTS), Z, Y);
    expectAllClose(got, [0.045656594844965426, 2.7194599528368526, 0.9250263742935125], TOL);
    expectAllClose(got, reference(Z, Y, COUNTS), TOL);
  });

  it('golden: uniform counts give plain cross-entropy', () => {
    const got = perExampleValues(balancedSoftmax, balancedSoftmax.prepare({}, [7, 7, 7, 7]), Z, Y);
    expectAllClose(got, Z.map((row, i) => nll(row, Y[i]!)), TOL);
  });

  it('stays finite for a class with no samples', () => {
    const got = perExampleValues(balancedSoftmax, balancedSoftmax.prepare({}, [100, 40, 10, 0]), Z, Y);
    expect(got.every(Number.isFinite)).toBe(true);
  });

  it('gradient: tf.grad of the mean matches central differences', () => {
    const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, COUNTS)), Z);
    expect(maxAbsDiff(gradOfMean(balancedSoftmax, balancedSoftmax.prepare({}, COUNTS), Z, Y), numeric)).toBeLessThan(1e-3);
  });

  it('rejects a config that is not an object', () => {
    expect(decodeWith(BalancedSoftmaxConfig, 3, 'lossConfig')).toEqual(E.left('lossConfig: expected {}, got 3'));
  });

  it('rejects counts that are all zero when prepared', () => {
    expect(() => balancedSoftmax.prepare({}, [0, 0])).toThrow('balanced-softmax: every class count is 0.');
  });
});
