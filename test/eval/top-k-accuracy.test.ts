import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { topKAccuracy } from '../../src/eval/top-k-accuracy.js';
import { topLabelPredictions } from '../../src/eval/reliability-table.js';

describe('top-k accuracy', () => {
  // 3 samples × 4 classes.
  const probs = [
    [0.1, 0.6, 0.2, 0.1], // label 2: second highest → rank 1
    [0.25, 0.25, 0.25, 0.25], // label 3: ties ordered by index → rank 3
    [0.7, 0.1, 0.1, 0.1], // label 0: rank 0
  ].flat();
  const labels = [2, 3, 0];

  it('counts the samples whose true class is among the k best (golden values)', () => {
    expect(topKAccuracy(probs, labels, 4, 1)).toBeCloseTo(1 / 3, 12);
    expect(topKAccuracy(probs, labels, 4, 2)).toBeCloseTo(2 / 3, 12);
    expect(topKAccuracy(probs, labels, 4, 3)).toBeCloseTo(2 / 3, 12);
    expect(topKAccuracy(probs, labels, 4, 4)).toBe(1);
    expect(topKAccuracy(probs, labels, 4, 9)).toBe(1);
  });

  it('is null without samples and rejects bad input with the function name', () => {
    expect(topKAccuracy([], [], 4, 5)).toBeNull();
    expect(() => topKAccuracy(probs, labels, 4, 0)).toThrow('topKAccuracy: k must be a positive integer, got 0');
    expect(() => topKAccuracy(probs, [0, 1], 4, 1)).toThrow('topKAccuracy: 12 scores for 2 labels and 4 classes');
    expect(() => topKAccuracy(probs, [0, 1, 4], 4, 1)).toThrow('topKAccuracy: label 4 at 2 is outside [0, 4)');
  });

  const problems = fc.integer({ min: 2, max: 12 }).chain((c) =>
    fc.record({
      c: fc.constant(c),
      rows: fc.array(
        fc.tuple(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: c, maxLength: c }), fc.integer({ min: 0, max: c - 1 })),
        { minLength: 1, maxLength: 30 },
      ),
    }),
  );

  it('top-1 equals the accuracy of the arg-max predictions, and top-1 ≤ top-5 (ties included)', () => {
    fc.assert(
      fc.property(problems, ({ c, rows }) => {
        // Small integer scores make ties frequent.
        const scores = rows.flatMap((r) => r[0]);
        const y = rows.map((r) => r[1]);
        const { predicted } = topLabelPredictions(scores, c);
        const argmaxAccuracy = y.filter((label, i) => predicted[i] === label).length / y.length;
        const top1 = topKAccuracy(scores, y, c, 1)!;
        const top5 = topKAccuracy(scores, y, c, 5)!;
        return Math.abs(top1 - argmaxAccuracy) < 1e-12 && top1 <= top5 && (c > 5 || top5 === 1);
      }),
    );
  });
});
