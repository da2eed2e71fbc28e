import { describe, expect, it } from 'vitest';
import { binOf, reliabilityTable, reliabilityTableOf, topLabelPredictions } from '../../src/eval/reliability-table.js';

describe('reliability table', () => {
  it('puts confidences in equal-width bins (lower, upper], exactly at the edges', () => {
    expect([0, 0.2, 0.2000001, 0.4, 0.6, 1].map((p) => binOf(p, 5))).toEqual([0, 0, 1, 1, 2, 4]);
    // 0.3 · 10 = 3.0000000000000004 in floating point; 0.3 still belongs to (0.2, 0.3].
    expect(binOf(0.3, 10)).toBe(2);
    expect(binOf(0.7, 10)).toBe(6);
    expect(binOf(0.5, 1)).toBe(0);
  });

  it('reports count, mean confidence and accuracy per bin (golden values)', () => {
    // 5 bins; confidences 0.95, 0.85 → (0.8, 1]; 0.62 → (0.6, 0.8]; 0.55 → (0.4, 0.6]; 0.3 → (0.2, 0.4].
    const t = reliabilityTableOf([0.95, 0.85, 0.62, 0.55, 0.3], [1, 0, 1, 1, 0], 5);
    expect(t.map((b) => b.count)).toEqual([0, 1, 1, 1, 2]);
    expect(t[0]).toEqual({ lower: 0, upper: 0.2, count: 0, meanConfidence: null, accuracy: null });
    expect(t[4]!.meanConfidence).toBeCloseTo(0.9, 12);
    expect(t[4]!.accuracy).toBe(0.5);
    expect(t[1]!.accuracy).toBe(0);
    expect(t.map((b) => b.upper)).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('uses the arg max (first on ties) and the max probability of each row', () => {
    const probs = [0.1, 0.7, 0.2, 0.4, 0.4, 0.2];
    const { confidence, predicted } = topLabelPredictions(probs, 3);
    expect(Array.from(predicted)).toEqual([1, 0]);
    expect(confidence[0]).toBeCloseTo(0.7, 12);
    const t = reliabilityTable(probs, [1, 1], 3, 10);
    // Sample 0: confidence 0.7 → bin 6, correct; sample 1: confidence 0.4 → bin 3, predicted 0 ≠ 1.
    expect(t[6]).toMatchObject({ count: 1, accuracy: 1 });
    expect(t[3]).toMatchObject({ count: 1, accuracy: 0 });
  });

  it('has 15 bins by default (Guo et al. 2017)', () => {
    expect(reliabilityTable([0.5, 0.5], [0], 2)).toHaveLength(15);
  });

  it('throws programmer errors with the function name', () => {
    expect(() => reliabilityTableOf([0.5], [1, 0])).toThrow('reliabilityTableOf: 1 confidences but 2 correctness flags');
    expect(() => reliabilityTableOf([1.5], [1])).toThrow('reliabilityTableOf: confidence 1.5 at 0 is outside [0, 1]');
    expect(() => reliabilityTableOf([0.5], [1], 0)).toThrow('reliabilityTableOf: numBins must be a positive integer, got 0');
    expect(() => reliabilityTable([0.5, 0.5], [2], 2)).toThrow('reliabilityTable: label 2 at 0 is outside [0, 2)');
    expect(() => reliabilityTable([0.5, 0.5, 0.1], [0], 2)).toThrow('reliabilityTable: 3 probabilities for 1 labels and 2 classes');
  });
});
