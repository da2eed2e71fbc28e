import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { reversedSampler } from '../../../src/streams/samplers/reversed-sampler.js';
import { classHits, expectClose, labelsOf } from './helpers.js';

describe('reversedSampler (BBN)', () => {
  it('gives P_j = (n_max/n_j) / Σ_i (n_max/n_i)', () => {
    // n_max/n_j = 1, 4, 25, 100; sum 130.
    expectClose(reversedSampler.classProbabilities([100, 25, 4, 1], 0, 1), [1 / 130, 4 / 130, 25 / 130, 100 / 130]);
    // 9/9, —, 9/1: weights 1, 0, 9; sum 10.
    expectClose(reversedSampler.classProbabilities([9, 0, 1], 0, 1), [1 / 10, 0, 9 / 10]);
    expectClose(reversedSampler.classProbabilities([7, 7], 0, 1), [1 / 2, 1 / 2]);
  });

  it('draws the rare class most often, with replacement', () => {
    const counts = [90, 10];
    const labels = labelsOf(counts);
    const order = reversedSampler.epochOrder({ labels, counts, epoch: 0, epochs: 1 }, createRng(11));
    expect(order).toHaveLength(100);
    // P = (1/10, 9/10): class 1's 10 samples fill ~90 of the 100 draws, so some repeat.
    const hits = classHits(order, labels, 2);
    expect(hits[1]).toBeGreaterThan(70);
    expect(new Set(order).size).toBeLessThan(100);
  });
});
