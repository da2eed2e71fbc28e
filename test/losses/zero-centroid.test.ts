import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { zeroCentroid, zeroCentroidPenalty, ZeroCentroidConfig } from '../../src/losses/zero-centroid.js';
import { simplexEtfPrototypes } from '../../src/models/fixed-prototypes.js';
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
const KERNEL: Matrix = [
  [1.0, 0.5, -0.2, 0.3],
  [0.0, 1.0, 0.4, -0.7],
  [0.5, -0.3, 1.2, 0.1],
];
/** ‖mean_j w_j/‖w_j‖‖² of a [D, C] kernel. */
const rw = (kernel: Matrix): number => {
  const c = kernel[0]!.length;
  const norms = Array.from({ length: c }, (_, j) => Math.hypot(...kernel.map((r) => r[j]!)));
  return kernel.reduce((s, r) => s + (r.reduce((a, v, j) => a + v / norms[j]!, 0) / c) ** 2, 0);
};
/** CE(s·z) + λ_w·R (R from the kernel, or (mean_j z_j)² per row), in float64. */
const reference = (z: Matrix, y: readonly number[], c: ZeroCentroidConfig, kernel?: Matrix): number[] =>
  z.map((row, i) => nll(row.map((v) => c.scale * v), y[i]!) + c.weight * (kernel === undefined ? mean(row) ** 2 : rw(kernel)));

const penalty = (z: Matrix, kernel?: Float32Array | Matrix, shape?: [number, number]): number[] =>
  tf.tidy(() => {
    const k = kernel === undefined ? undefined : kernel instanceof Float32Array ? tf.tensor2d(kernel, shape) : tf.tensor2d(kernel);
    return Array.from(zeroCentroidPenalty(tf.tensor2d(z), k).dataSync());
  });

beforeAll(async () => {
  await initBackend('cpu');
});

describe('zeroCentroid', () => {
  it('defaults to s = 64, λ_w = 1', () => {
    expect(zeroCentroid.defaults).toEqual({ scale: 64, weight: 1 });
  });

  it('golden: logit form (64, 1) and kernel form (10, 0.5) (numpy-pinned) and the float64 formula', () => {
    // python3: ce(s·Z/2.5) + λ·mean_j(z)²;  W = K/‖K‖_col, R = ‖W.mean(1)‖² = 0.2551163828224571
    const logitForm = perExampleValues(zeroCentroid, zeroCentroid.prepare(zeroCentroid.defaults, COUNTS), ZC, Y);
    expectAllClose(logitForm, [0.02560000000000001, 0.02560000000004974, 38.4196], TOL * 10);
    expectAllClose(logitForm, reference(ZC, Y, zeroCentroid.defaults), TOL * 10);
    const config = { scale: 10, weight: 0.5 };
    const kernelForm = tf.tidy(() =>
      Array.from(
        zeroCentroid
          .perExample({ logits: tf.tensor2d(ZC), labels: tf.tensor1d(Y, 'int32'), classifierKernel: tf.tensor2d(KERNEL) }, zeroCentroid.prepare(config, COUNTS))
          .dataSync(),
      ),
    );
    expectAllClose(kernelForm, [0.13053909193184215, 0.14170442289430768, 6.130080400567349], TOL);
    expectAllClose(kernelForm, reference(ZC, Y, config, KERNEL), TOL);
  });

  it('simplex-ETF prototypes have a zero centroid: exact penalty 0, and 0 in the logit form for their cosines', () => {
    const protos = simplexEtfPrototypes(4, 5);
    expectAllClose(penalty(ZC, protos, [5, 4]), [0, 0, 0], 1e-12);
    // Cosines of any feature to the ETF prototypes sum to 0 over classes.
    const x = [0.3, -1.2, 0.8, 0.1, 0.5];
    const cos = [0, 1, 2, 3].map((j) => x.reduce((s, v, d) => s + v * protos[d * 4 + j]!, 0) / Math.hypot(...x));
    expectAllClose(penalty([cos]), [0], 1e-12);
  });

  it('the logit form bounds the exact one from below on average (w̄ᵀΣ̂w̄ ≤ ‖w̄‖² for unit features)', () => {
    const features: Matrix = [
      [0.9, -0.2, 0.4],
      [-0.5, 1.1, 0.3],
      [0.2, 0.3, -1.4],
      [1.0, 1.0, 1.0],
    ];
    const norms = [0, 1, 2, 3].map((j) => Math.hypot(...KERNEL.map((r) => r[j]!)));
    const cos: Matrix = features.map((x) => [0, 1, 2, 3].map((j) => x.reduce((s, v, d) => s + v * KERNEL[d]![j]!, 0) / (Math.hypot(...x) * norms[j]!)));
    expect(mean(penalty(cos))).toBeLessThanOrEqual(rw(KERNEL) + 1e-6);
    expect(mean(penalty(cos))).toBeGreaterThan(0);
  });

  it('gradient: tf.grad of the mean matches central differences (logit form)', () => {
    const config = { scale: 5, weight: 3 };
    const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, config)), ZC, 1e-6);
    expect(maxAbsDiff(gradOfMean(zeroCentroid, zeroCentroid.prepare(config, COUNTS), ZC, Y), numeric)).toBeLessThan(1e-3);
  });

  it('rejects scale 0 with the dotted path', () => {
    expect(decodeWith(ZeroCentroidConfig, { scale: 0, weight: 1 }, 'lossConfig')).toEqual(
      E.left('lossConfig.scale: expected a positive number, got 0'),
    );
  });
});
