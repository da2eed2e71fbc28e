import { describe, expect, it } from 'vitest';
import { describeThresholds, shotGroupAccuracy, shotGroupOf, DEFAULT_SHOT_THRESHOLDS } from '../../src/eval/shot-groups.js';

describe('many/medium/few-shot groups', () => {
  it('uses Decoupling/OLTR thresholds by default: many > 100, few < 20, boundaries in medium', () => {
    expect([101, 100, 20, 19].map((n) => shotGroupOf(n))).toEqual(['many', 'medium', 'medium', 'few']);
  });

  it('honours inclusive thresholds', () => {
    const t = { many: 100, manyInclusive: true, few: 20, fewInclusive: true };
    expect([100, 99, 21, 20].map((n) => shotGroupOf(n, t))).toEqual(['many', 'medium', 'medium', 'few']);
  });

  it('averages per-class accuracy within each group and leaves an empty group null', () => {
    const r = shotGroupAccuracy([1, 0.5, 0.2, 0.4], [500, 300, 50, 60]);
    expect(r.many).toEqual({ classes: [0, 1], accuracy: 0.75 });
    expect(r.medium.classes).toEqual([2, 3]);
    expect(r.medium.accuracy).toBeCloseTo(0.3, 12);
    expect(r.few).toEqual({ classes: [], accuracy: null });
  });

  it('skips classes without test samples inside a group', () => {
    expect(shotGroupAccuracy([null, 0.5], [500, 300]).many.accuracy).toBe(0.5);
  });

  it('describes the thresholds in words', () => {
    expect(describeThresholds(DEFAULT_SHOT_THRESHOLDS)).toBe(
      'many: n > 100, medium: 20 ≤ n ≤ 100, few: n < 20 (n = training images of the class)',
    );
    expect(describeThresholds({ many: 50, manyInclusive: true, few: 5, fewInclusive: true })).toBe(
      'many: n ≥ 50, medium: 5 < n < 50, few: n ≤ 5 (n = training images of the class)',
    );
  });
});
