import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { rescom, RescomConfig, type RescomPrepared } from '../../src/losses/rescom.js';
import { reduceLoss } from '../../src/losses/reduce.js';
import { COUNTS, expectAllClose, finiteDifferenceGrad, maxAbsDiff, mean, nll, type Matrix } from './helpers/reference.js';
import { F, FY, FZ, anchorWeightsRef, supconRef } from './helpers/contrastive-reference.js';

/** Float64 out_i = SBS_i + λ · w_y · ℓ_i. */
const reference = (z: Matrix, f: Matrix, tau: number, beta: number, lambda: number): number[] => {
  const total = COUNTS.reduce((a, b) => a + b, 0);
  const offsets = COUNTS.map((n) => Math.log(n / total + 1e-9));
  const con = supconRef(f, FY, tau, anchorWeightsRef(COUNTS, beta));
  return z.map((row, i) => nll(row.map((v, j) => v + offsets[j]!), FY[i]!) + lambda * con[i]!);
};

const run = (prepared: RescomPrepared, z: Matrix, f: Matrix): tf.Tensor1D =>
  rescom.perExample({ logits: tf.tensor2d(z), labels: tf.tensor1d(FY, 'int32'), features: tf.tensor2d(f) }, prepared);

beforeAll(async () => {
  await initBackend('cpu');
});

describe('rescom (Siamese Balanced Softmax + λ · class-balanced SupCon)', () => {
  it('defaults to λ = 1, τ = 0.1 (logger.py), β = 0.999 (SiamBS_SPM signature), and needs features', () => {
    expect(rescom.defaults).toEqual({ temperature: 0.1, effectiveNumBeta: 0.999, conWeight: 1 });
    expect(rescom.needs).toEqual(['features']);
  });

  it("golden: reduceLoss('mean') is SiamBS_SPM's total loss (numpy-pinned 1.6928621696586272) and matches the formula per example", () => {
    tf.tidy(() => {
      const per = run(rescom.prepare(rescom.defaults, COUNTS), FZ, F);
      expectAllClose(reduceLoss(per, 'mean').dataSync(), [1.6928621696586272], 1e-5);
      expectAllClose(per.dataSync(), reference(FZ, F, 0.1, 0.999, 1), 1e-5);
    });
    const other = rescom.prepare({ temperature: 0.5, effectiveNumBeta: 0, conWeight: 0.3 }, COUNTS);
    expectAllClose(tf.tidy(() => Array.from(run(other, FZ, F).dataSync())), reference(FZ, F, 0.5, 0, 0.3), 1e-5);
  });

  it('gradient: with respect to logits and features, against central differences', () => {
    const prepared = rescom.prepare({ temperature: 0.5, effectiveNumBeta: 0.999, conWeight: 2 }, COUNTS);
    const [dz, df] = tf.tidy(() => {
      const labels = tf.tensor1d(FY, 'int32');
      const g = tf.grads((z: tf.Tensor, f: tf.Tensor) =>
        tf.mean(rescom.perExample({ logits: z as tf.Tensor2D, labels, features: f as tf.Tensor2D }, prepared)),
      );
      return g([tf.tensor2d(FZ), tf.tensor2d(F)]).map((t) => t.arraySync() as Matrix);
    });
    expect(maxAbsDiff(dz!, finiteDifferenceGrad((z) => mean(reference(z, F, 0.5, 0.999, 2)), FZ))).toBeLessThan(1e-3);
    expect(maxAbsDiff(df!, finiteDifferenceGrad((f) => mean(reference(FZ, f, 0.5, 0.999, 2)), F))).toBeLessThan(1e-3);
  });

  it('rejects a bad config with the dotted path', () => {
    expect(decodeWith(RescomConfig, { ...rescom.defaults, conWeight: -1 }, 'lossConfig')).toEqual(
      E.left('lossConfig.conWeight: expected a number ≥ 0, got -1'),
    );
  });
});
