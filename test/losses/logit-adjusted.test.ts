import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { logitAdjusted, logitAdjustments, LogitAdjustedConfig } from '../../src/losses/logit-adjusted.js';
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

/** CE(z + log(π^τ + 1e-12), y) in float64. */
const reference = (z: Matrix, y: readonly number[], counts: readonly number[], tau: number): number[] => {
  const total = counts.reduce((a, b) => a + b, 0);
  const offsets = counts.map((n) => Math.log((n / total) ** tau + 1e-12));
  return z.map((row, i) => nll(row.map((v, j) => v + offsets[j]!), y[i]!));
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('logitAdjusted', () => {
  it('defaults to τ = 1 (google-research logit_adjustment main.py)', () => {
    expect(logitAdjusted.defaults).toEqual({ tau: 1 });
  });

  it('golden: τ = 1 and τ = 0.5 (numpy-pinned) and the float64 formula', () => {
    // python3: pi = n/n.sum(); ce(Z + np.log(pi**tau + 1e-12))
    const a = perExampleValues(logitAdjusted, logitAdjusted.prepare({ tau: 1 }, COUNTS), Z, Y);
    expectAllClose(a, [0.04565659484551454, 2.719459952791645, 0.9250263742987856], TOL);
    const b = perExampleValues(logitAdjusted, logitAdjusted.prepare({ tau: 0.5 }, COUNTS), Z, Y);
    expectAllClose(b, [0.12040546400271346, 1.388083930534886, 1.274826684933621], TOL);
    expectAllClose(b, reference(Z, Y, COUNTS, 0.5), TOL);
  });

  it('golden: τ = 0 is plain cross-entropy', () => {
    const got = perExampleValues(logitAdjusted, logitAdjusted.prepare({ tau: 0 }, COUNTS), Z, Y);
    expectAllClose(got, Z.map((row, i) => nll(row, Y[i]!)), TOL);
  });

  it('offsets are log(π^τ + 1e-12), finite for an empty class', () => {
    expectAllClose(logitAdjustments([3, 1], 1), [Math.log(0.75 + 1e-12), Math.log(0.25 + 1e-12)], 1e-15);
    expect(logitAdjustments([3, 0], 1)[1]).toBeCloseTo(Math.log(1e-12), 12);
  });

  it('gradient: tf.grad of the mean matches central differences', () => {
    const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, COUNTS, 1)), Z);
    expect(maxAbsDiff(gradOfMean(logitAdjusted, logitAdjusted.prepare({ tau: 1 }, COUNTS), Z, Y), numeric)).toBeLessThan(1e-3);
  });

  it('rejects a negative τ with the dotted path', () => {
    expect(decodeWith(LogitAdjustedConfig, { tau: -0.5 }, 'lossConfig')).toEqual(
      E.left('lossConfig.tau: expected a number ≥ 0, got -0.5'),
    );
  });
});
