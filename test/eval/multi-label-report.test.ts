import { describe, expect, it } from 'vitest';
import { evaluateMultiLabel } from '../../src/eval/multi-label-report.js';
import { formatReport } from '../../src/eval/format-report.js';
import { evaluate } from '../../src/eval/evaluate.js';

const thresholds = { many: 100, manyInclusive: false, few: 20, fewInclusive: false };

describe('evaluateMultiLabel', () => {
  // 4 samples × 3 classes. Class 0 ranks its two positives first and second (AP 1); class 1's single
  // positive (sample 3, score 0.2) ranks third of 0.9, 0.7, 0.2, 0.1 (AP 1/3); class 2's positives
  // (0.8, 0.5) rank first and second of 0.8, 0.5, 0.3, 0.1 (AP 1).
  const scores = [0.9, 0.1, 0.8, 0.8, 0.7, 0.1, 0.2, 0.9, 0.5, 0.1, 0.2, 0.3];
  const targets = [1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0];
  const report = evaluateMultiLabel(scores, targets, [500, 50, 5], thresholds);

  it('golden: per-class AP by hand, their mean, and the test positives', () => {
    expect(report.perClass.map((c) => c.ap)).toEqual([1, 1 / 3, 1]);
    expect(report.mAP).toBeCloseTo(7 / 9, 12);
    expect(report.perClass.map((c) => c.testPositives)).toEqual([2, 1, 2]);
    expect(report.perClass.map((c) => c.trainPositives)).toEqual([500, 50, 5]);
  });

  it('groups classes by training positives with the thresholds given', () => {
    expect(report.shotGroups.many).toEqual({ classes: [0], mAP: 1 });
    expect(report.shotGroups.medium).toEqual({ classes: [1], mAP: 1 / 3 });
    expect(report.shotGroups.few.classes).toEqual([2]);
  });

  it('is printed under the single-label table, with an AP column', () => {
    const single = evaluate([0, 1, 2, 0], [0, 1, 2, 2], [500, 50, 5], ['a', 'b', 'c'], thresholds);
    const text = formatReport({ ...single, multiLabel: report });
    expect(text).toContain('mAP                77.8%  (multi-label; classes grouped by training positives)');
    expect(text).toContain('few-shot mAP       100.0%  (1 classes)');
    expect(text).toMatch(/class {12}train {3}test {2}accuracy {8}AP/);
    expect(text).toMatch(/^1 b +50 +1 +100\.0% +33\.3%$/m);
  });
});
