import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import {
  drawWeighted,
  expectedClassMass,
  multiLabelClassCounts,
  multiLabelSampler,
  multiLabelSampleWeights,
  rarestLabel,
} from '../../../src/streams/samplers/multi-label-sampler.js';
import { classHits, expectClose, labelsOf } from './helpers.js';

/** Six images over 4 classes: class 0 is in five of them (a co-occurring head label), class 3 in one. */
const SETS = [[0], [0, 1], [0, 1], [0, 2], [0, 2, 3], [1]];
// Counts: class 0: 5, class 1: 3, class 2: 2, class 3: 1.
const COUNTS = [5, 3, 2, 1];

describe('multiLabelSampleWeights', () => {
  it('counts positives per class, a label repeated in one set once', () => {
    expect(multiLabelClassCounts(SETS, 4)).toEqual(COUNTS);
    expect(multiLabelClassCounts([[1, 1], []], 2)).toEqual([0, 1]);
    expect(() => multiLabelClassCounts([[2]], 2)).toThrow(/label 2 of sample 0 is not a class in 0\.\.1/);
  });

  it("'rarest': 1/n of the rarest positive label; an empty set weighs 0", () => {
    expectClose(multiLabelSampleWeights(SETS, COUNTS), [1 / 5, 1 / 3, 1 / 3, 1 / 2, 1, 1 / 3]);
    expectClose(multiLabelSampleWeights([[], [1]], [0, 4]), [0, 1 / 4]);
    expect(rarestLabel([0, 2, 3], COUNTS)).toBe(3);
    expect(rarestLabel([2, 1], [5, 2, 2])).toBe(1); // tie: smallest index
    expect(rarestLabel([], COUNTS)).toBe(-1);
  });

  it("'class-aware': Σ 1/n_j over the positive labels (DB's P^I up to 1/C)", () => {
    expectClose(multiLabelSampleWeights(SETS, COUNTS, 'class-aware'), [1 / 5, 1 / 5 + 1 / 3, 1 / 5 + 1 / 3, 1 / 5 + 1 / 2, 1 / 5 + 1 / 2 + 1, 1 / 3]);
  });

  it('is 1/n_y for single-label data under both weightings', () => {
    const labels = [0, 0, 0, 1, 2, 2];
    const sets = labels.map((y) => [y]);
    expectClose(multiLabelSampleWeights(sets, [3, 1, 2]), [1 / 3, 1 / 3, 1 / 3, 1, 1 / 2, 1 / 2]);
    expectClose(multiLabelSampleWeights(sets, [3, 1, 2], 'class-aware'), [1 / 3, 1 / 3, 1 / 3, 1, 1 / 2, 1 / 2]);
  });

  it('refuses a label whose count is 0', () => {
    expect(() => multiLabelSampleWeights([[1]], [3, 0])).toThrow(/sample 0 has label 1, whose count is 0/);
  });

  it('expected class mass: Σ_k w_k [c ∈ Y_k] / Σ w', () => {
    // Σ w = 1/5 + 1/3 + 1/3 + 1/2 + 1 + 1/3 = 2.7; class 0 is in the first five, class 1 in samples 1, 2, 5, …
    const w = [1 / 5, 1 / 3, 1 / 3, 1 / 2, 1, 1 / 3];
    expectClose(expectedClassMass(SETS, w, 4), [(1 / 5 + 2 / 3 + 1 / 2 + 1) / 2.7, 1 / 2.7, 1.5 / 2.7, 1 / 2.7]);
  });
});

describe('drawWeighted', () => {
  it('never draws a weight-0 index and is a function of the Rng', () => {
    const order = drawWeighted([0, 1, 0, 3], 2000, createRng(4));
    expect(order.every((i) => i === 1 || i === 3)).toBe(true);
    expect([...drawWeighted([0, 1, 0, 3], 2000, createRng(4))]).toEqual([...order]);
    expect(() => drawWeighted([0, 0], 1, createRng(0))).toThrow(/no sample has a positive weight/);
  });
});

describe('multiLabelSampler', () => {
  it('is class-balanced on single-label data (the registered form)', () => {
    expectClose(multiLabelSampler().classProbabilities([100, 0, 25, 4], 0, 1), [1 / 3, 0, 1 / 3, 1 / 3]);
    const counts = [950, 50];
    const labels = labelsOf(counts);
    const hits = classHits(multiLabelSampler().epochOrder({ labels, counts, epoch: 0, epochs: 1 }, createRng(2)), labels, 2);
    // p = ½ each over 1000 draws: 500 ± 6·√250 ≈ 500 ± 95.
    expect(Math.abs(hits[1]! - 500)).toBeLessThan(95);
  });

  it('delivers the expected class mass on multi-label data (seed 17, within 6 binomial std + 1/N)', () => {
    // 4000 images: the six SETS repeated, so each draw's class indicators have the stated means.
    const sets = Array.from({ length: 4000 }, (_, k) => SETS[k % SETS.length]!);
    const labels = Int32Array.from(sets, (s) => s[0]!); // any labels of the right length; the sets decide
    const counts = multiLabelClassCounts(sets, 4);
    for (const weighting of ['rarest', 'class-aware'] as const) {
      const sampler = multiLabelSampler({ labelSets: sets, weighting });
      const order = sampler.epochOrder({ labels, counts, epoch: 0, epochs: 1 }, createRng(17));
      const expected = expectedClassMass(sets, multiLabelSampleWeights(sets, counts, weighting), 4);
      const observed = [0, 0, 0, 0];
      for (const i of order) for (const j of sets[i]!) observed[j]! += 1 / order.length;
      expected.forEach((m, c) => {
        expect(Math.abs(observed[c]! - m)).toBeLessThanOrEqual(6 * Math.sqrt((m * (1 - m)) / order.length) + 1 / order.length);
      });
    }
  });

  it("rarest weighting over-samples the tail label far more than instance sampling (class 3's mass 1/2.7 vs 1/6)", () => {
    const w = multiLabelSampleWeights(SETS, COUNTS);
    expect(expectedClassMass(SETS, w, 4)[3]).toBeCloseTo(1 / 2.7, 12);
    expect(expectedClassMass(SETS, [1, 1, 1, 1, 1, 1], 4)[3]).toBeCloseTo(1 / 6, 12);
  });

  it("states the distribution of the drawn sample's rarest label for bound label sets", () => {
    // Rarest labels: 0, 1, 1, 2, 3, 1 with weights 1/5, 1/3, 1/3, 1/2, 1, 1/3 (sum 2.7).
    expectClose(multiLabelSampler({ labelSets: SETS }).classProbabilities(COUNTS, 0, 1), [0.2 / 2.7, 1 / 2.7, 0.5 / 2.7, 1 / 2.7]);
  });

  it('draws the same order from the same seed, another from another seed, and checks the set count', () => {
    const labels = Int32Array.from(SETS, (s) => s[0]!);
    const ctx = { labels, counts: COUNTS, epoch: 0, epochs: 1 };
    const sampler = multiLabelSampler({ labelSets: SETS });
    const a = sampler.epochOrder(ctx, createRng(3));
    expect([...sampler.epochOrder(ctx, createRng(3))]).toEqual([...a]);
    const longer = { ...ctx, labels: Int32Array.from({ length: 60 }, () => 0) };
    expect(() => sampler.epochOrder(longer, createRng(3))).toThrow(/6 label sets for 60 samples/);
    const many = multiLabelSampler({ labelSets: Array.from({ length: 60 }, (_, k) => SETS[k % 6]!) });
    expect([...many.epochOrder(longer, createRng(3))]).not.toEqual([...many.epochOrder(longer, createRng(4))]);
  });
});
