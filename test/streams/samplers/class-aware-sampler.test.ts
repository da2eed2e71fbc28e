import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { classAwareSampler } from '../../../src/streams/samplers/class-aware-sampler.js';
import { classHits, expectClose, labelsOf } from './helpers.js';

describe('classAwareSampler (Decoupling, cycling)', () => {
  it('states 1/C over the non-empty classes', () => {
    expectClose(classAwareSampler().classProbabilities([100, 25, 4, 1], 0, 1), [1 / 4, 1 / 4, 1 / 4, 1 / 4]);
    expectClose(classAwareSampler().classProbabilities([5, 0, 3], 0, 1), [1 / 2, 0, 1 / 2]);
  });

  it('visits the classes in rounds: every C consecutive draws hold each class once', () => {
    const counts = [40, 7, 0, 3];
    const labels = labelsOf(counts);
    const order = classAwareSampler().epochOrder({ labels, counts, epoch: 0, epochs: 1 }, createRng(8));
    expect(order).toHaveLength(50);
    for (let r = 0; r + 3 <= order.length; r += 3) {
      const round = [...order.subarray(r, r + 3)].map((i) => labels[i]!).sort();
      expect(round).toEqual([0, 1, 3]);
    }
    // 50 = 16 full rounds of 3 + 2 draws of a 17th round.
    const hits = classHits(order, labels, 4);
    expect(hits[2]).toBe(0);
    expect([...hits].sort((a, b) => a - b)).toEqual([0, 16, 17, 17]);
  });

  it("cycles within a class: no sample repeats before its whole class has been seen", () => {
    const counts = [40, 7, 3];
    const labels = labelsOf(counts);
    const order = classAwareSampler().epochOrder({ labels, counts, epoch: 0, epochs: 1 }, createRng(9));
    for (let y = 0; y < 3; y++) {
      const seq = [...order].filter((i) => labels[i] === y);
      for (let start = 0; start < seq.length; start += counts[y]!) {
        const pass = seq.slice(start, start + counts[y]!);
        expect(new Set(pass).size).toBe(pass.length);
      }
    }
  });

  it('takes samplesPerClass consecutive draws per visit', () => {
    const counts = [20, 10, 6];
    const labels = labelsOf(counts);
    const order = classAwareSampler({ samplesPerClass: 4 }).epochOrder({ labels, counts, epoch: 0, epochs: 1 }, createRng(10));
    expect(order).toHaveLength(36);
    for (let r = 0; r < 36; r += 4) {
      const block = new Set([...order.subarray(r, r + 4)].map((i) => labels[i]!));
      expect(block.size).toBe(1);
    }
    expect(classHits(order, labels, 3)).toEqual([12, 12, 12]);
  });

  it('refuses a bad samplesPerClass', () => {
    expect(() => classAwareSampler({ samplesPerClass: 0 })).toThrow(/classAwareSampler: samplesPerClass must be a positive integer/);
  });
});
