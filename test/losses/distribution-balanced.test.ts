import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { UserError } from '../../src/core/errors.js';
import {
  distributionBalanced,
  distributionBalancedLogitShift,
  DistributionBalancedConfig,
} from '../../src/losses/distribution-balanced.js';
import { reduceLoss } from '../../src/losses/reduce.js';
import {
  COUNTS,
  Y,
  Z,
  expectAllClose,
  finiteDifferenceGrad,
  maxAbsDiff,
  mean,
  perExampleValues,
  softplus,
  type Matrix,
} from './helpers/reference.js';

const TOL = 1e-5;
const DEFAULTS = distributionBalanced.defaults;
/** Multi-hot targets for Z: example 0 has classes {0, 2}, example 1 {3}, example 2 {1, 3}. */
const T: Matrix = [
  [1, 0, 1, 0],
  [0, 0, 0, 1],
  [0, 1, 0, 1],
];
/** Images in the multi-label training set T's counts come from (≥ the largest count, 100). */
const IMAGES = 120;

type Config = typeof DEFAULTS;

/**
 * Float64 DB loss per example from the formula (module doc / methods-B §8): r = (1/n_i)/Σ_{j∈Y} 1/n_j,
 * w = α + σ(β(r − μ)); z' = z + (κ/λ)·(−log(N/n − 1)); positive term w·softplus(−z'), negative
 * (w/λ)·softplus(λz'); focal: × balance·(1 − e^{−b})^γ with b the unweighted term's BCE.
 */
const reference = (z: Matrix, t: Matrix, counts: readonly number[], images: number, c: Config): number[] =>
  z.map((row, k) => {
    const repeat = t[k]!.reduce((s, yj, j) => s + (yj * 1) / counts[j]!, 0);
    return row.reduce((sum, zi, i) => {
      const y = t[k]![i]!;
      const r = 1 / counts[i]! / repeat;
      const w = c.reweight === 'rebalance' ? c.alpha + 1 / (1 + Math.exp(-c.beta * (r - c.mu))) : 1;
      const shifted = zi - (c.initBias / c.negScale) * Math.log(images / counts[i]! - 1);
      const b = y === 1 ? softplus(-shifted) : softplus(c.negScale * shifted);
      const term = y === 1 ? w * b : (w / c.negScale) * b;
      return sum + (c.focal ? c.balanceParam * (1 - Math.exp(-b)) ** c.gamma * term : term);
    }, 0);
  });

/** Per-example values with multi-hot targets. */
const valuesWithTargets = (config: Config, z: Matrix, t: Matrix, counts: readonly number[]): number[] =>
  tf.tidy(() => {
    const out = distributionBalanced.perExample(
      { logits: tf.tensor2d(z), labels: tf.tensor1d(z.map(() => 0), 'int32'), targets: tf.tensor2d(t) },
      distributionBalanced.prepare(config, counts),
    );
    expect(out.shape).toEqual([z.length]);
    return Array.from(out.dataSync());
  });

const oneHot = (y: readonly number[], c: number): Matrix => y.map((label) => Array.from({ length: c }, (_, j) => (j === label ? 1 : 0)));

beforeAll(async () => {
  await initBackend('cpu');
});

describe('distributionBalanced (db-loss)', () => {
  it('defaults to the released DB-Focal COCO config (configs/coco/LT_resnet50_pfc_DB.py)', () => {
    expect(DEFAULTS).toEqual({
      reweight: 'rebalance',
      alpha: 0.1,
      beta: 10,
      mu: 0.2,
      initBias: 0.05,
      negScale: 2,
      focal: true,
      gamma: 2,
      balanceParam: 2,
      numImages: null,
    });
  });

  it('golden: multi-hot targets match a numpy transcription of ResampleLoss.forward and the float64 formula', () => {
    // python3 + numpy, transcribing resample_loss.py (rebalance_weight, logit_reg_functions, focal branch),
    // class_freq = COUNTS, train_num = 120, then .sum(1) per example.
    const pinned: Array<[Partial<Config>, number[]]> = [
      [{}, [0.3661326337481381, 0.2638267392247651, 4.0315461149587355]],
      [{ focal: false }, [1.0162828795985526, 0.6626455223495289, 2.830041168025341]],
      [{ mu: 0.3, negScale: 5 }, [0.2837516188996163, 0.14850987793259643, 3.05590697469332]], // VOC-MLT values
    ];
    for (const [override, expected] of pinned) {
      const config = { ...DEFAULTS, ...override, numImages: IMAGES };
      const got = valuesWithTargets(config, Z, T, COUNTS);
      expectAllClose(got, expected, TOL);
      expectAllClose(got, reference(Z, T, COUNTS, IMAGES, config), TOL);
    }
  });

  it('golden: without targets it uses the one-hot of the labels, with N = Σ n (numpy-pinned)', () => {
    const prepared = distributionBalanced.prepare(DEFAULTS, COUNTS);
    const got = perExampleValues(distributionBalanced, prepared, Z, Y);
    expectAllClose(got, [0.8617251268262796, 0.253423657356725, 4.723156701850342], TOL);
    expectAllClose(got, reference(Z, oneHot(Y, 4), COUNTS, 153, DEFAULTS), TOL);
    expectAllClose(got, valuesWithTargets(DEFAULTS, Z, oneHot(Y, 4), COUNTS), 1e-6);
  });

  it("reduction: the official mean over all N·C terms is reduceLoss('mean') / C (numpy: 0.38845879066096994)", () => {
    const config = { ...DEFAULTS, numImages: IMAGES };
    const official = tf.tidy(() => {
      const per = distributionBalanced.perExample(
        { logits: tf.tensor2d(Z), labels: tf.tensor1d(Y, 'int32'), targets: tf.tensor2d(T) },
        distributionBalanced.prepare(config, COUNTS),
      );
      return reduceLoss(per, 'mean').dataSync()[0]! / 4;
    });
    expect(Math.abs(official - 0.38845879066096994)).toBeLessThan(TOL);
  });

  it('NTR shift: −(κ/λ)·log(N/n − 1), guarded for empty and ubiquitous classes', () => {
    expectAllClose(
      distributionBalancedLogitShift(COUNTS, IMAGES, 0.05, 2),
      COUNTS.map((n) => -(0.05 / 2) * Math.log(IMAGES / n - 1)),
      1e-15,
    );
    // n = 0 counts as 1; n = N keeps one negative: log((N − n)/n) with both floored at 1.
    expectAllClose(distributionBalancedLogitShift([0, 10, 10], 10, 0.1, 1), [-0.1 * Math.log(10), -0.1 * Math.log(1 / 10), -0.1 * Math.log(1 / 10)], 1e-15);
    expect(distributionBalancedLogitShift(COUNTS, IMAGES, 0, 2)).toEqual([0, 0, 0, 0]);
  });

  it('an example with no positive label gets weight α + 1 on every class (r = +∞, as 1/n / 0 in the official code)', () => {
    const config = { ...DEFAULTS, focal: false, initBias: 0, negScale: 1, numImages: IMAGES };
    const got = valuesWithTargets(config, [Z[0]!], [[0, 0, 0, 0]], COUNTS);
    expectAllClose(got, [1.1 * Z[0]!.reduce((s, v) => s + softplus(v), 0)], TOL);
  });

  it('gradient: tf.grad of the mean matches central differences (DB-Focal, DB without focal, VOC values)', () => {
    for (const override of [{}, { focal: false }, { mu: 0.3, negScale: 5, gamma: 1.5 }] as Array<Partial<Config>>) {
      const config = { ...DEFAULTS, ...override, numImages: IMAGES };
      const prepared = distributionBalanced.prepare(config, COUNTS);
      const analytic = tf.tidy(() => {
        const targets = tf.tensor2d(T);
        const labels = tf.tensor1d(Y, 'int32');
        const g = tf.grad((logits: tf.Tensor) =>
          tf.mean(distributionBalanced.perExample({ logits: logits as tf.Tensor2D, labels, targets }, prepared)),
        );
        return g(tf.tensor2d(Z)).arraySync() as Matrix;
      });
      const numeric = finiteDifferenceGrad((z) => mean(reference(z, T, COUNTS, IMAGES, config)), Z);
      expect(maxAbsDiff(analytic, numeric)).toBeLessThan(1e-3);
    }
  });

  it('rejects a bad config with the dotted path, numImages below a class count, and mis-shaped targets', () => {
    expect(decodeWith(DistributionBalancedConfig, { ...DEFAULTS, negScale: 0 }, 'lossConfig')).toEqual(
      E.left('lossConfig.negScale: expected a positive number, got 0'),
    );
    expect(decodeWith(DistributionBalancedConfig, { ...DEFAULTS, reweight: 'inv' })).toEqual(
      E.left('reweight: expected "rebalance" | "none", got "inv"'),
    );
    expect(() => distributionBalanced.prepare({ ...DEFAULTS, numImages: 50 }, COUNTS)).toThrow(
      /db-loss: numImages is 50, smaller than the count 100 of class 0\./,
    );
    expect(() =>
      tf.tidy(() =>
        distributionBalanced.perExample(
          { logits: tf.tensor2d(Z), labels: tf.tensor1d(Y, 'int32'), targets: tf.zeros([3, 3]) as tf.Tensor2D },
          distributionBalanced.prepare(DEFAULTS, COUNTS),
        ),
      ),
    ).toThrow(UserError);
  });
});
