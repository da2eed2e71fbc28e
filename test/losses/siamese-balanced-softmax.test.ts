import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { siameseBalancedSoftmax, SiameseBalancedSoftmaxConfig } from '../../src/losses/siamese-balanced-softmax.js';
import { COUNTS, expectAllClose, finiteDifferenceGrad, gradOfMean, maxAbsDiff, mean, nll, perExampleValues, type Matrix } from './helpers/reference.js';
import { FY, FZ } from './helpers/contrastive-reference.js';

/** −log softmax(z + log(π + 1e-9))_y in float64. */
const reference = (z: Matrix, y: readonly number[], counts: readonly number[]): number[] => {
  const total = counts.reduce((a, b) => a + b, 0);
  const offsets = counts.map((n) => Math.log(n / total + 1e-9));
  return z.map((row, i) => nll(row.map((v, j) => v + offsets[j]!), y[i]!));
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('siameseBalancedSoftmax', () => {
  it('has no hyper-parameters', () => {
    expect(siameseBalancedSoftmax.defaults).toEqual({});
    expect(siameseBalancedSoftmax.needs).toBeUndefined();
  });

  it('golden: CE on z + log(π + 1e-9) (numpy-pinned from SiamBS_SPM.forward) and the float64 formula', () => {
    const got = perExampleValues(siameseBalancedSoftmax, siameseBalancedSoftmax.prepare({}, COUNTS), FZ, FY);
    expectAllClose(got, [0.0456565953942358, 1.4291927893587557, 1.9087356499882038, 3.7829252911058444, 1.288139351542909], 1e-5);
    expectAllClose(got, reference(FZ, FY, COUNTS), 1e-5);
  });

  it('keeps an empty class finite: its offset is log 1e-9', () => {
    expectAllClose(siameseBalancedSoftmax.prepare({}, [3, 0, 1]).offsets, [Math.log(0.75 + 1e-9), Math.log(1e-9), Math.log(0.25 + 1e-9)], 1e-12);
  });

  it('gradient: tf.grad of the mean matches central differences', () => {
    const prepared = siameseBalancedSoftmax.prepare({}, COUNTS);
    const numeric = finiteDifferenceGrad((z) => mean(reference(z, FY, COUNTS)), FZ);
    expect(maxAbsDiff(gradOfMean(siameseBalancedSoftmax, prepared, FZ, FY), numeric)).toBeLessThan(1e-3);
  });

  it('rejects a non-object config with the dotted path', () => {
    expect(E.isLeft(decodeWith(SiameseBalancedSoftmaxConfig, 3, 'lossConfig'))).toBe(true);
    expect(decodeWith(SiameseBalancedSoftmaxConfig, 3, 'lossConfig')).toEqual(E.left('lossConfig: expected {}, got 3'));
  });
});
