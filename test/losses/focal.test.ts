import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { focal, FocalConfig } from '../../src/losses/focal.js';
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

/** Float64 reference from the formula: ℓ = (1 − e^{−w·ce})^γ · w·ce or w·(1 − e^{−ce})^γ · ce. */
const reference = (z: Matrix, y: readonly number[], gamma: number, w?: readonly number[], from = 'weighted-ce'): number[] =>
  z.map((row, i) => {
    const ce = nll(row, y[i]!);
    const wy = w === undefined ? 1 : w[y[i]!]!;
    if (from === 'weighted-ce') return (1 - Math.exp(-wy * ce)) ** gamma * wy * ce;
    return wy * (1 - Math.exp(-ce)) ** gamma * ce;
  });

beforeAll(async () => {
  await initBackend('cpu');
});

describe('focal', () => {
  it('defaults to γ = 1 without class weights (LDAM-DRW cifar_train.py)', () => {
    expect(focal.defaults).toEqual({ gamma: 1, classWeights: null, modulatorFrom: 'weighted-ce' });
  });

  it('golden: γ = 1 on the fixed 3×4 logits (numpy-pinned)', () => {
    // python3: ce = logsumexp(Z) − Z[y]; (1 − exp(−ce))**1 * ce  (Z, y as in helpers/reference.ts)
    const pinned = [0.10466643428791825, 0.22842546431725916, 1.4929700907724928];
    expectAllClose(perExampleValues(focal, focal.prepare(focal.defaults, COUNTS), Z, Y), pinned, TOL);
  });

  it('golden: γ = 2 and γ = 0.5 match the float64 formula', () => {
    for (const gamma of [2, 0.5]) {
      const prepared = focal.prepare({ ...focal.defaults, gamma }, COUNTS);
      expectAllClose(perExampleValues(focal, prepared, Z, Y), reference(Z, Y, gamma), TOL);
    }
  });

  it('golden: γ = 0 is cross-entropy', () => {
    const prepared = focal.prepare({ ...focal.defaults, gamma: 0 }, COUNTS);
    expectAllClose(perExampleValues(focal, prepared, Z, Y), Z.map((row, i) => nll(row, Y[i]!)), TOL);
  });

  it("golden: with class weights, 'weighted-ce' takes p from w·ce (LDAM-DRW quirk), 'probability' from p_y", () => {
    const w = [0.5, 1, 1.5, 2];
    // numpy-pinned, γ = 2: wce = w[y]*ce; (1-exp(-wce))**2*wce and w[y]*(1-exp(-ce))**2*ce
    const quirk = [0.00459874199112974, 0.4788510092535343, 1.2441059527743188];
    const paper = [0.015543243291393994, 0.19174772328165593, 1.2441059527743188];
    const a = perExampleValues(focal, focal.prepare({ gamma: 2, classWeights: w, modulatorFrom: 'weighted-ce' }, COUNTS), Z, Y);
    const b = perExampleValues(focal, focal.prepare({ gamma: 2, classWeights: w, modulatorFrom: 'probability' }, COUNTS), Z, Y);
    expectAllClose(a, quirk, TOL);
    expectAllClose(b, paper, TOL);
    expectAllClose(a, reference(Z, Y, 2, w, 'weighted-ce'), TOL);
    expectAllClose(b, reference(Z, Y, 2, w, 'probability'), TOL);
  });

  it('golden: every reduction of the per-example values', () => {
    const ref = reference(Z, Y, 1);
    const weights = [1, 2, 0.5];
    tf.tidy(() => {
      const per = focal.perExample({ logits: tf.tensor2d(Z), labels: tf.tensor1d(Y, 'int32') }, focal.prepare(focal.defaults, COUNTS));
      const w = tf.tensor1d(weights);
      expectAllClose(reduceLoss(per, 'none').dataSync(), ref, TOL);
      expectAllClose(reduceLoss(per, 'sum').dataSync(), [ref.reduce((a, b) => a + b, 0)], TOL);
      expectAllClose(reduceLoss(per, 'mean').dataSync(), [mean(ref)], TOL);
      const wsum = ref.reduce((s, v, i) => s + v * weights[i]!, 0);
      expectAllClose(reduceLoss(per, 'mean', w).dataSync(), [wsum / 3], TOL);
      expectAllClose(reduceLoss(per, 'weighted-mean', w).dataSync(), [wsum / 3.5], TOL);
    });
  });

  it('gradient: tf.grad of the mean matches central differences of the float64 formula', () => {
    const cases: Array<[number, number[] | null]> = [
      [1, null],
      [0.5, null],
      [2, [0.5, 1, 1.5, 2]],
    ];
    for (const [gamma, classWeights] of cases) {
      const prepared = focal.prepare({ gamma, classWeights, modulatorFrom: 'weighted-ce' }, COUNTS);
      const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, gamma, classWeights ?? undefined)), Z);
      expect(maxAbsDiff(gradOfMean(focal, prepared, Z, Y), numeric)).toBeLessThan(1e-3);
    }
  });

  it('gradient stays finite when p_y rounds to 1 and γ < 1', () => {
    const prepared = focal.prepare({ ...focal.defaults, gamma: 0.5 }, COUNTS);
    const g = gradOfMean(focal, prepared, [[60, 0, 0, 0]], [0]);
    expect(g.flat().every(Number.isFinite)).toBe(true);
  });

  it('rejects a negative γ with the dotted path', () => {
    expect(decodeWith(FocalConfig, { ...focal.defaults, gamma: -1 }, 'lossConfig')).toEqual(
      E.left('lossConfig.gamma: expected a number ≥ 0, got -1'),
    );
  });

  it('rejects an unknown modulatorFrom', () => {
    expect(decodeWith(FocalConfig, { ...focal.defaults, modulatorFrom: 'p' })).toEqual(
      E.left('modulatorFrom: expected "probability" | "weighted-ce", got "p"'),
    );
  });

  it('rejects class weights of the wrong length when prepared', () => {
    expect(() => focal.prepare({ ...focal.defaults, classWeights: [1, 2] }, COUNTS)).toThrow(
      'focal.classWeights: expected 4 values (one per class), got 2.',
    );
  });
});
