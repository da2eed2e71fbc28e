import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { lmSoftmax, LmSoftmaxConfig } from '../../src/losses/lm-softmax.js';
import {
  COUNTS,
  Y,
  Z,
  expectAllClose,
  finiteDifferenceGrad,
  gradOfMean,
  logSumExp,
  maxAbsDiff,
  mean,
  nll,
  perExampleValues,
  softplus,
  type Matrix,
} from './helpers/reference.js';

const TOL = 1e-5;
const ZC: Matrix = Z.map((row) => row.map((v) => v / 2.5));
/** A [D = 3, C = 4] kernel, column j the (unnormalised) prototype of class j. */
const KERNEL: Matrix = [
  [1.0, 0.5, -0.2, 0.3],
  [0.0, 1.0, 0.4, -0.7],
  [0.5, -0.3, 1.2, 0.1],
];

/** log Σ_{j≠y} e^{s(z_j − z_y)}. */
const lmTerm = (row: readonly number[], y: number, s: number): number =>
  logSumExp(row.filter((_, j) => j !== y).map((v) => s * (v - row[y]!)));
/** max_{j≠y} z_j − z_y. */
const rsm = (row: readonly number[], y: number): number => Math.max(...row.filter((_, j) => j !== y)) - row[y]!;
/** ‖mean_j w_j/‖w_j‖‖² of a [D, C] kernel. */
const rw = (kernel: Matrix): number => {
  const c = kernel[0]!.length;
  const norms = Array.from({ length: c }, (_, j) => Math.hypot(...kernel.map((r) => r[j]!)));
  return kernel.reduce((s, r) => s + (r.reduce((a, v, j) => a + v / norms[j]!, 0) / c) ** 2, 0);
};
/** The whole loss in float64; R_w from `kernel` when given, else the logit form (mean_j z_j)². */
const reference = (z: Matrix, y: readonly number[], config: LmSoftmaxConfig, kernel?: Matrix): number[] =>
  z.map((row, i) => {
    const lm = lmTerm(row, y[i]!, config.scale);
    const zc = kernel === undefined ? mean(row) ** 2 : rw(kernel);
    return (config.divideByScale ? lm / config.scale : lm) + config.sampleMarginWeight * rsm(row, y[i]!) + config.zeroCentroidWeight * zc;
  });

const withKernel = (config: LmSoftmaxConfig, z: Matrix, kernel: Matrix): number[] =>
  tf.tidy(() =>
    Array.from(
      lmSoftmax
        .perExample({ logits: tf.tensor2d(z), labels: tf.tensor1d(Y, 'int32'), classifierKernel: tf.tensor2d(kernel) }, lmSoftmax.prepare(config, COUNTS))
        .dataSync(),
    ),
  );

beforeAll(async () => {
  await initBackend('cpu');
});

describe('lmSoftmax', () => {
  it('defaults to s = 64 divided by s (third-party LMSoftmaxLoss), no regulariser', () => {
    expect(lmSoftmax.defaults).toEqual({ scale: 64, divideByScale: true, sampleMarginWeight: 0, zeroCentroidWeight: 0 });
  });

  it('golden: plain LM-Softmax, ÷ s and not, s = 64 and 10 (numpy-pinned) and the float64 formula', () => {
    // python3: log Σ_{j≠y} exp(s·(z_j − z_y)) on Z/2.5, ÷ s or not
    const cases: Array<[Partial<LmSoftmaxConfig>, number[]]> = [
      [{}, [-0.5999994419966883, -0.47883652614807837, 0.6000000000000001]],
      [{ divideByScale: false }, [-38.39996428778805, -30.645537673477016, 38.400000000000006]],
      [{ scale: 10 }, [-0.5814039015488615, -0.4251225562759499, 0.6000046639337213]],
      [{ scale: 10, divideByScale: false }, [-5.814039015488614, -4.251225562759499, 6.000046639337213]],
    ];
    for (const [partial, pinned] of cases) {
      const config = { ...lmSoftmax.defaults, ...partial };
      const got = perExampleValues(lmSoftmax, lmSoftmax.prepare(config, COUNTS), ZC, Y);
      // 4e-4 absolute: float32 values up to 38.4 (≈ 1e-5 relative).
      expectAllClose(got, pinned, TOL * 40);
      expectAllClose(got, reference(ZC, Y, config), TOL * 40);
    }
  });

  it('golden: with λ_sm = 0.5 and λ_w = 2 (logit form of R_w), numpy-pinned', () => {
    // python3: lm/64 + 0.5·(max_{j≠y} z_j − z_y) + 2·mean_j(z)²
    const config = { ...lmSoftmax.defaults, sampleMarginWeight: 0.5, zeroCentroidWeight: 2 };
    const got = perExampleValues(lmSoftmax, lmSoftmax.prepare(config, COUNTS), ZC, Y);
    expectAllClose(got, [-0.8487994419966883, -0.6676365261480783, 0.9392000000000001], TOL);
    expectAllClose(got, reference(ZC, Y, config), TOL);
  });

  it('golden: the exact zero-centroid form from classifierKernel (R_w numpy-pinned = 0.2551163828224571)', () => {
    expect(rw(KERNEL)).toBeCloseTo(0.2551163828224571, 14);
    const config = { ...lmSoftmax.defaults, zeroCentroidWeight: 2 };
    expectAllClose(withKernel(config, ZC, KERNEL), reference(ZC, Y, config, KERNEL), TOL);
  });

  it('CE(s·z) = softplus(s·ℓ) without regularisers (the target term put back)', () => {
    const got = perExampleValues(lmSoftmax, lmSoftmax.prepare({ ...lmSoftmax.defaults, scale: 10 }, COUNTS), ZC, Y);
    expectAllClose(got.map((v) => softplus(10 * v)), ZC.map((row, i) => nll(row.map((v) => 10 * v), Y[i]!)), 1e-4);
  });

  it('stays finite with both regularisers for |z| up to 1e3', () => {
    const config = { ...lmSoftmax.defaults, divideByScale: false, sampleMarginWeight: 1, zeroCentroidWeight: 1 };
    const big = Z.map((row) => row.map((v) => 500 * v));
    expect(perExampleValues(lmSoftmax, lmSoftmax.prepare(config, COUNTS), big, Y).every(Number.isFinite)).toBe(true);
  });

  it('gradient: tf.grad of the mean matches central differences (plain, and with both regularisers)', () => {
    const configs: LmSoftmaxConfig[] = [lmSoftmax.defaults, { scale: 8, divideByScale: false, sampleMarginWeight: 0.5, zeroCentroidWeight: 2 }];
    for (const config of configs) {
      const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, config)), ZC, 1e-6);
      expect(maxAbsDiff(gradOfMean(lmSoftmax, lmSoftmax.prepare(config, COUNTS), ZC, Y), numeric)).toBeLessThan(1e-3);
    }
  });

  it('gradient: the exact zero-centroid term reaches the kernel, matching central differences', () => {
    const config = { ...lmSoftmax.defaults, zeroCentroidWeight: 2 };
    const prepared = lmSoftmax.prepare(config, COUNTS);
    const got = tf.tidy(() => {
      const logits = tf.tensor2d(ZC);
      const labels = tf.tensor1d(Y, 'int32');
      const g = tf.grad((k: tf.Tensor) => tf.mean(lmSoftmax.perExample({ logits, labels, classifierKernel: k as tf.Tensor2D }, prepared)));
      return g(tf.tensor2d(KERNEL)).arraySync() as Matrix;
    });
    const numeric = finiteDifferenceGrad((k) => 2 * rw(k), KERNEL, 1e-6);
    expect(maxAbsDiff(got, numeric)).toBeLessThan(1e-4);
  });

  it('rejects a negative zero-centroid weight with the dotted path, and a single class', () => {
    expect(decodeWith(LmSoftmaxConfig, { ...lmSoftmax.defaults, zeroCentroidWeight: -1 }, 'lossConfig')).toEqual(
      E.left('lossConfig.zeroCentroidWeight: expected a number ≥ 0, got -1'),
    );
    expect(() => lmSoftmax.prepare(lmSoftmax.defaults, [10])).toThrow('lm-softmax: needs at least 2 classes, got 1.');
  });
});
