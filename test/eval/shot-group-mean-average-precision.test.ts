import { describe, expect, it } from 'vitest';
import { shotGroupMeanAveragePrecision } from '../../src/eval/shot-group-mean-average-precision.js';

describe('many/medium/few mAP', () => {
  it('averages AP within each group, skipping classes without positives', () => {
    const r = shotGroupMeanAveragePrecision([0.9, 0.5, null, 0.2, 0.4], [500, 50, 30, 5, 10]);
    expect(r.many).toEqual({ classes: [0], mAP: 0.9 });
    expect(r.medium).toEqual({ classes: [1, 2], mAP: 0.5 });
    expect(r.few.classes).toEqual([3, 4]);
    expect(r.few.mAP).toBeCloseTo(0.3, 12);
  });

  it('leaves a group without a class null and honours thresholds', () => {
    const r = shotGroupMeanAveragePrecision([0.8, 0.6], [100, 20], { many: 100, manyInclusive: true, few: 20, fewInclusive: true });
    expect([r.many.mAP, r.medium.mAP, r.few.mAP]).toEqual([0.8, null, 0.6]);
  });

  it('rejects lengths that disagree', () => {
    expect(() => shotGroupMeanAveragePrecision([0.5], [1, 2])).toThrow('shotGroupMeanAveragePrecision: 1 APs but 2 training counts');
  });
});
