import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { progressiveSampler } from '../../../src/streams/samplers/progressive-sampler.js';
import { expectClose, labelsOf } from './helpers.js';

describe('progressiveSampler', () => {
  const counts = [100, 25, 4, 1];

  it('is instance-balanced at epoch 0', () => {
    expectClose(progressiveSampler.classProbabilities(counts, 0, 4), [100 / 130, 25 / 130, 4 / 130, 1 / 130]);
  });

  it('mixes (1 − t/T)·instance + (t/T)·class-balanced', () => {
    // t/T = 1/4: 0.75·n_j/130 + 0.25·1/4, over the common denominator 1040 = 8·130.
    expectClose(progressiveSampler.classProbabilities(counts, 1, 4), [665 / 1040, 215 / 1040, 89 / 1040, 71 / 1040]);
    // t/T = 1/2: halfway, 0.5·n_j/130 + 1/8 → (4·n_j + 130) / 1040.
    expectClose(progressiveSampler.classProbabilities(counts, 2, 4), [530 / 1040, 230 / 1040, 146 / 1040, 134 / 1040]);
  });

  it('reaches class-balanced at t = T and treats empty classes as absent', () => {
    expectClose(progressiveSampler.classProbabilities(counts, 4, 4), [1 / 4, 1 / 4, 1 / 4, 1 / 4]);
    // [3, 0, 1] at t/T = 1/2: 0.5·(3/4, 0, 1/4) + 0.5·(1/2, 0, 1/2).
    expectClose(progressiveSampler.classProbabilities([3, 0, 1], 5, 10), [5 / 8, 0, 3 / 8]);
  });

  it('uses the epoch of its context when drawing', () => {
    const c = [50, 50];
    const labels = labelsOf(c);
    const rng = createRng(5);
    const early = progressiveSampler.epochOrder({ labels, counts: c, epoch: 0, epochs: 10 }, rng);
    expect(early).toHaveLength(100);
    // Balanced counts: every epoch's probabilities are (½, ½), so the draws coincide for the same Rng.
    expect([...progressiveSampler.epochOrder({ labels, counts: c, epoch: 9, epochs: 10 }, rng)]).toEqual([...early]);
  });

  it('refuses a non-positive number of epochs', () => {
    expect(() => progressiveSampler.classProbabilities(counts, 0, 0)).toThrow(/progressiveSampler: epochs must be a positive number/);
  });
});
