import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/evaluate.js';
import { formatReport } from '../../src/eval/format-report.js';

describe('evaluate and formatReport', () => {
  // 3 classes, 2 test samples each; trained with 200 / 50 / 5 images.
  const labels = [0, 0, 1, 1, 2, 2];
  const predicted = [0, 0, 1, 0, 0, 0];
  const r = evaluate(labels, predicted, [200, 50, 5], ['cat', 'dog', 'emu']);

  it('reports overall, balanced, per-class and group accuracy', () => {
    expect(r.overallAccuracy).toBeCloseTo(3 / 6, 12);
    expect(r.balancedAccuracy).toBeCloseTo((1 + 0.5 + 0) / 3, 12);
    expect(r.perClass.map((c) => [c.name, c.trainCount, c.testCount, c.accuracy])).toEqual([
      ['cat', 200, 2, 1],
      ['dog', 50, 2, 0.5],
      ['emu', 5, 2, 0],
    ]);
    expect([r.shotGroups.many.accuracy, r.shotGroups.medium.accuracy, r.shotGroups.few.accuracy]).toEqual([1, 0.5, 0]);
  });

  it('prints n/a for an empty group (never 0%) and the thresholds', () => {
    const text = formatReport(evaluate([0, 1], [0, 1], [500, 300], ['a', 'b']));
    expect(text).toContain('few-shot           n/a  (0 classes)');
    expect(text).toContain('medium-shot        n/a  (0 classes)');
    expect(text).toContain('many-shot          100.0%  (2 classes)');
    expect(text).toContain('groups: many: n > 100, medium: 20 ≤ n ≤ 100, few: n < 20');
  });

  it('prints one row per class with its training count beside its accuracy', () => {
    const lines = formatReport(r).split('\n');
    expect(lines).toContain('class            train   test  accuracy');
    expect(lines).toContain('1 dog               50      2     50.0%');
  });
});
