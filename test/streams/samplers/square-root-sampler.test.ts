import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { squareRootSampler } from '../../../src/streams/samplers/square-root-sampler.js';
import { classHits, expectClose, labelsOf } from './helpers.js';

describe('squareRootSampler', () => {
  it('gives p_j = √n_j / Σ√n_i', () => {
    // √100, √25, √4, √1 = 10, 5, 2, 1; sum 18.
    expectClose(squareRootSampler.classProbabilities([100, 25, 4, 1], 0, 1), [10 / 18, 5 / 18, 2 / 18, 1 / 18]);
    // √9, 0, √1 = 3, 0, 1; sum 4.
    expectClose(squareRootSampler.classProbabilities([9, 0, 1], 7, 10), [3 / 4, 0, 1 / 4]);
  });

  it('draws N positions, never from an empty class, about as often as stated', () => {
    const counts = [900, 0, 100];
    const labels = labelsOf(counts);
    const order = squareRootSampler.epochOrder({ labels, counts, epoch: 0, epochs: 1 }, createRng(3));
    expect(order).toHaveLength(1000);
    const hits = classHits(order, labels, 3);
    expect(hits[1]).toBe(0);
    // p = 30/40, 10/40: expect 750 ± 6·√(1000·0.75·0.25) ≈ 750 ± 82.
    expect(Math.abs(hits[0]! - 750)).toBeLessThan(82);
  });
});
