import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { targetRatioSampler } from '../../../src/streams/samplers/target-ratio-sampler.js';
import { expectClose, labelsOf } from './helpers.js';

describe('targetRatioSampler', () => {
  const counts = [100, 25, 4, 1];

  it('raises classes below n_max/ρ′ to n_max/ρ′: p_j ∝ max(n_j, n_max/ρ′)', () => {
    // ρ′ = 10: floor 10 → weights 100, 25, 10, 10; sum 145.
    expectClose(targetRatioSampler({ ratio: 10 }).classProbabilities(counts, 0, 1), [100 / 145, 25 / 145, 10 / 145, 10 / 145]);
    // ρ′ = 2: floor 50 → 100, 50, 50, 50; sum 250.
    expectClose(targetRatioSampler({ ratio: 2 }).classProbabilities(counts, 0, 1), [0.4, 0.2, 0.2, 0.2]);
  });

  it('is class-balanced at ρ′ = 1 and instance-balanced when ρ′ ≥ ρ', () => {
    expectClose(targetRatioSampler({ ratio: 1 }).classProbabilities(counts, 0, 1), [1 / 4, 1 / 4, 1 / 4, 1 / 4]);
    expectClose(targetRatioSampler({ ratio: 100 }).classProbabilities(counts, 0, 1), [100 / 130, 25 / 130, 4 / 130, 1 / 130]);
    expectClose(targetRatioSampler({ ratio: Infinity }).classProbabilities(counts, 0, 1), [100 / 130, 25 / 130, 4 / 130, 1 / 130]);
  });

  it('leaves empty classes at zero and achieves the ratio exactly', () => {
    const p = targetRatioSampler({ ratio: 3 }).classProbabilities([90, 0, 1, 60], 0, 1);
    // floor 30 → 90, 0, 30, 60; sum 180.
    expectClose(p, [1 / 2, 0, 1 / 6, 1 / 3]);
    expect(p[0]! / p[2]!).toBeCloseTo(3, 12);
  });

  it('refuses a ratio below 1', () => {
    expect(() => targetRatioSampler({ ratio: 0.5 })).toThrow(/targetRatioSampler: ratio must be ≥ 1/);
    expect(() => targetRatioSampler({ ratio: Number.NaN })).toThrow(/targetRatioSampler: ratio must be ≥ 1/);
  });

  it('draws N positions from the Rng', () => {
    const c = [30, 3];
    const labels = labelsOf(c);
    const order = targetRatioSampler().epochOrder({ labels, counts: c, epoch: 0, epochs: 1 }, createRng(4));
    expect(order).toHaveLength(33);
    expect(order.every((i) => i >= 0 && i < 33)).toBe(true);
  });
});
