import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { minoritySampler } from '../../../src/streams/samplers/minority-sampler.js';
import { classHits, expectClose, labelsOf } from './helpers.js';

describe('minoritySampler (CMO)', () => {
  const counts = [100, 25, 4, 1];

  it('with α = 1 (CMO default) is class-balanced: p_k ∝ n_k · n_k^{-1}', () => {
    expectClose(minoritySampler().classProbabilities(counts, 0, 1), [1 / 4, 1 / 4, 1 / 4, 1 / 4]);
    expectClose(minoritySampler({ alpha: 1 }).classProbabilities([9, 0, 1], 0, 1), [1 / 2, 0, 1 / 2]);
  });

  it('with α = 0 is instance-balanced, α = ½ square-root, α = 2 inverse-frequency', () => {
    expectClose(minoritySampler({ alpha: 0 }).classProbabilities(counts, 0, 1), [100 / 130, 25 / 130, 4 / 130, 1 / 130]);
    expectClose(minoritySampler({ alpha: 0.5 }).classProbabilities(counts, 0, 1), [10 / 18, 5 / 18, 2 / 18, 1 / 18]);
    // 1/n: 0.01, 0.04, 0.25, 1; sum 1.3.
    expectClose(minoritySampler({ alpha: 2 }).classProbabilities(counts, 0, 1), [1 / 130, 4 / 130, 25 / 130, 100 / 130]);
  });

  it('refuses a non-finite α', () => {
    expect(() => minoritySampler({ alpha: Number.NaN })).toThrow(/minoritySampler: alpha must be a finite number/);
  });

  it('oversamples the minority class in its draws', () => {
    const c = [950, 50];
    const labels = labelsOf(c);
    const order = minoritySampler().epochOrder({ labels, counts: c, epoch: 0, epochs: 1 }, createRng(2));
    const hits = classHits(order, labels, 2);
    // p = ½ each: 500 ± 6·√250 ≈ 500 ± 95.
    expect(Math.abs(hits[1]! - 500)).toBeLessThan(95);
  });
});
