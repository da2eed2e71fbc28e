import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { vsAdjustments, vsLoss, VsLossConfig } from '../../src/losses/vs-loss.js';
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

/** CE(z / (n_max/n)^γ + τ·log π, y) in float64, written as the official VSLoss forward. */
const reference = (z: Matrix, y: readonly number[], counts: readonly number[], gamma: number, tau: number): number[] => {
  const total = counts.reduce((a, b) => a + b, 0);
  const temp = counts.map((n) => (1 / n) ** gamma);
  const minTemp = Math.min(...temp);
  return z.map((row, i) => nll(row.map((v, j) => v / (temp[j]! / minTemp) + tau * Math.log(counts[j]! / total)), y[i]!));
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('vsLoss', () => {
  it('defaults to γ = 0.3, τ = 1 (orparask/VS-Loss class_imbalance/train.py)', () => {
    expect(vsLoss.defaults).toEqual({ gamma: 0.3, tau: 1 });
  });

  it('golden: defaults and (γ 0.2, τ 0.5) (numpy-pinned) and the float64 formula', () => {
    // python3: temp = (1/n)**g; temp /= temp.min(); ce(Z/temp + t*np.log(n/n.sum()))
    const a = perExampleValues(vsLoss, vsLoss.prepare(vsLoss.defaults, COUNTS), Z, Y);
    expectAllClose(a, [0.04585008116753442, 3.6494768973874563, 0.6546968323914444], TOL);
    const b = perExampleValues(vsLoss, vsLoss.prepare({ gamma: 0.2, tau: 0.5 }, COUNTS), Z, Y);
    expectAllClose(b, [0.11380282749876725, 2.005232469485507, 0.9228184278936802], TOL);
    expectAllClose(b, reference(Z, Y, COUNTS, 0.2, 0.5), TOL);
  });

  it('golden: γ = τ = 0 is cross-entropy; γ = 0 is logit adjustment; τ = 0 is CDT', () => {
    const ce = Z.map((row, i) => nll(row, Y[i]!));
    expectAllClose(perExampleValues(vsLoss, vsLoss.prepare({ gamma: 0, tau: 0 }, COUNTS), Z, Y), ce, TOL);
    // numpy-pinned logit adjustment τ = 1 and CDT γ = 0.3 (see logit-adjusted / cdt tests)
    expectAllClose(perExampleValues(vsLoss, vsLoss.prepare({ gamma: 0, tau: 1 }, COUNTS), Z, Y), [0.04565659484551454, 2.719459952791645, 0.9250263742987856], TOL);
    expectAllClose(perExampleValues(vsLoss, vsLoss.prepare({ gamma: 0.3, tau: 0 }, COUNTS), Z, Y), [0.3201511515402391, 1.0897221928676402, 1.2458443206451797], TOL);
  });

  it('scales are (n_j/n_max)^γ with the head at 1', () => {
    const { scales } = vsAdjustments(COUNTS, 0.5, 1);
    expectAllClose(scales, [1, Math.sqrt(0.4), Math.sqrt(0.1), Math.sqrt(0.03)], 1e-15);
  });

  it('gradient: tf.grad of the mean matches central differences', () => {
    const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, COUNTS, 0.3, 1)), Z);
    expect(maxAbsDiff(gradOfMean(vsLoss, vsLoss.prepare(vsLoss.defaults, COUNTS), Z, Y), numeric)).toBeLessThan(1e-3);
  });

  it('rejects a non-numeric γ with the dotted path', () => {
    expect(decodeWith(VsLossConfig, { gamma: 'high', tau: 1 }, 'lossConfig')).toEqual(
      E.left('lossConfig.gamma: expected a number ≥ 0, got "high"'),
    );
  });
});
