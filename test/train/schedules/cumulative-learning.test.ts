import { describe, expect, it } from 'vitest';
import { bbnDivisorEpoch, cumulativeLearningAlpha } from '../../../src/train/schedules/cumulative-learning.js';

describe('cumulativeLearningAlpha', () => {
  it('BBN’s 200-epoch table: α = 1 − (e/200)² with a 0-based epoch (the official 1-based T − 1)', () => {
    const alpha = cumulativeLearningAlpha({ epochs: 200 });
    const table: Array<[number, number]> = [
      [0, 1],
      [1, 0.999975],
      [20, 0.99],
      [50, 0.9375],
      [100, 0.75],
      [141, 0.502975],
      [160, 0.36],
      [199, 0.009975],
    ];
    for (const [e, a] of table) expect(alpha(e), `epoch ${e}`).toBeCloseTo(a, 12);
  });

  it('T_max is 100 for 90 epochs and 200 for 180 (combiner.py), otherwise the epoch count', () => {
    expect([90, 180, 200, 12, 100].map(bbnDivisorEpoch)).toEqual([100, 200, 200, 12, 100]);
    expect(cumulativeLearningAlpha({ epochs: 90 })(89)).toBeCloseTo(1 - 0.89 ** 2, 12);
    expect(cumulativeLearningAlpha({ epochs: 12, divisorEpoch: 10 })(5)).toBeCloseTo(0.75, 12);
  });

  it('stays in [0, 1] past T_max and refuses a non-positive T_max', () => {
    expect(cumulativeLearningAlpha({ epochs: 10 })(15)).toBe(0);
    expect(() => cumulativeLearningAlpha({ epochs: 0 })(0)).toThrow('cumulativeLearningAlpha: T_max must be positive, got 0');
  });
});
