import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { cdt, cdtTemperatures, CdtConfig } from '../../src/losses/cdt.js';
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

/** −log softmax(z / a)_y with a_j = (n_max/n_j)^γ, in float64 (BagofTricks-LT form). */
const reference = (z: Matrix, y: readonly number[], counts: readonly number[], gamma: number): number[] => {
  const nMax = Math.max(...counts);
  const a = counts.map((n) => (nMax / n) ** gamma);
  return z.map((row, i) => nll(row.map((v, j) => v / a[j]!), y[i]!));
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('cdt', () => {
  it('defaults to γ = 0.3 (orparask/VS-Loss train.py)', () => {
    expect(cdt.defaults).toEqual({ gamma: 0.3 });
  });

  it('golden: γ = 0.3 and γ = 0.2 (numpy-pinned) and the float64 formula', () => {
    // python3: a = (n.max()/n)**g; ce(Z/a)
    const a = perExampleValues(cdt, cdt.prepare({ gamma: 0.3 }, COUNTS), Z, Y);
    expectAllClose(a, [0.3201511515402391, 1.0897221928676402, 1.2458443206451797], TOL);
    const b = perExampleValues(cdt, cdt.prepare({ gamma: 0.2 }, COUNTS), Z, Y);
    expectAllClose(b, [0.3268632425985647, 0.944737613421349, 1.3575689190135414], TOL);
    expectAllClose(b, reference(Z, Y, COUNTS, 0.2), TOL);
  });

  it('golden: γ = 0 is cross-entropy', () => {
    expectAllClose(perExampleValues(cdt, cdt.prepare({ gamma: 0 }, COUNTS), Z, Y), Z.map((row, i) => nll(row, Y[i]!)), TOL);
  });

  it('temperatures are ≥ 1, with the head class at 1', () => {
    expectAllClose(cdtTemperatures(COUNTS, 1), [1, 2.5, 10, 100 / 3], 1e-12);
  });

  it('gradient: tf.grad of the mean matches central differences', () => {
    const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, COUNTS, 0.3)), Z);
    expect(maxAbsDiff(gradOfMean(cdt, cdt.prepare({ gamma: 0.3 }, COUNTS), Z, Y), numeric)).toBeLessThan(1e-3);
  });

  it('rejects γ = Infinity with the dotted path', () => {
    expect(decodeWith(CdtConfig, { gamma: Infinity }, 'lossConfig')).toEqual(
      E.left('lossConfig.gamma: expected a number ≥ 0, got Infinity'),
    );
  });
});
