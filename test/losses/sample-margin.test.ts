import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { sampleMargin, SampleMarginConfig } from '../../src/losses/sample-margin.js';
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
const ZC: Matrix = Z.map((row) => row.map((v) => v / 2.5));

/** CE(s·z) + λ·(max_{j≠y} z_j − z_y), in float64. */
const reference = (z: Matrix, y: readonly number[], c: SampleMarginConfig): number[] =>
  z.map((row, i) => nll(row.map((v) => c.scale * v), y[i]!) + c.weight * (Math.max(...row.filter((_, j) => j !== y[i])) - row[y[i]!]!));

beforeAll(async () => {
  await initBackend('cpu');
});

describe('sampleMargin', () => {
  it('defaults to s = 64, λ = 1', () => {
    expect(sampleMargin.defaults).toEqual({ scale: 64, weight: 1 });
  });

  it('golden: (64, 1) and (10, 0.5) on cosine logits (numpy-pinned) and the float64 formula', () => {
    // python3: ce(s·Z/2.5) + λ·(max_{j≠y} z_j − z_y)
    const cases: Array<[SampleMarginConfig, number[]]> = [
      [sampleMargin.defaults, [-0.6000000000000001, -0.47999999999995024, 39.00000000000001]],
      [{ scale: 10, weight: 0.5 }, [-0.29701909947938643, -0.22585376851692085, 6.30252220915612]],
    ];
    for (const [config, pinned] of cases) {
      const got = perExampleValues(sampleMargin, sampleMargin.prepare(config, COUNTS), ZC, Y);
      expectAllClose(got, pinned, TOL * 10);
      expectAllClose(got, reference(ZC, Y, config), TOL * 10);
    }
  });

  it('the penalty masks the true class even when every other logit is below −1 (the third-party −1 mask would not)', () => {
    const z: Matrix = [[-3, -2, -5]];
    const got = perExampleValues(sampleMargin, sampleMargin.prepare({ scale: 1, weight: 1 }, [5, 5, 5]), z, [0]);
    expectAllClose(got, reference(z, [0], { scale: 1, weight: 1 }), TOL);
  });

  it('gradient: tf.grad of the mean matches central differences', () => {
    const config = { scale: 5, weight: 0.7 };
    const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, config)), ZC, 1e-6);
    expect(maxAbsDiff(gradOfMean(sampleMargin, sampleMargin.prepare(config, COUNTS), ZC, Y), numeric)).toBeLessThan(1e-3);
  });

  it('rejects a negative weight with the dotted path', () => {
    expect(decodeWith(SampleMarginConfig, { scale: 64, weight: -0.1 }, 'lossConfig')).toEqual(
      E.left('lossConfig.weight: expected a number ≥ 0, got -0.1'),
    );
  });
});
