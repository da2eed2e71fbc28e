import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { reduceLoss } from '../../src/losses/reduce.js';

describe('reduceLoss', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  const value = (reduction: Parameters<typeof reduceLoss>[1], weights?: number[]) =>
    tf.tidy(() => [...reduceLoss(tf.tensor1d([1, 2, 3, 4]), reduction, weights === undefined ? undefined : tf.tensor1d(weights)).dataSync()]);

  it('means, sums and passes through', () => {
    expect(value('mean')).toEqual([2.5]);
    expect(value('sum')).toEqual([10]);
    expect(value('none')).toEqual([1, 2, 3, 4]);
    expect(value('weighted-mean')).toEqual([2.5]);
  });

  it('divides by the sum of weights for weighted-mean (PyTorch) and by N for mean', () => {
    // (1·1 + 2·0 + 3·2 + 4·1) / (1 + 0 + 2 + 1) = 11/4; / N = 11/4 too only by coincidence, so use other weights:
    expect(value('weighted-mean', [1, 0, 2, 1])[0]).toBeCloseTo(11 / 4, 6);
    expect(value('weighted-mean', [2, 0, 0, 0])[0]).toBeCloseTo(1, 6);
    expect(value('mean', [2, 0, 0, 0])[0]).toBeCloseTo(0.5, 6);
    expect(value('none', [2, 0, 0, 1])).toEqual([2, 0, 0, 4]);
  });
});
