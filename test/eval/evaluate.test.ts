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

describe('evaluate: macro-F1, macro precision, calibration and top-5', () => {
  it('reports macro-F1 and macro precision from the confusion matrix, with per-class precision and F1', () => {
    // Confusion [[2,0,0],[1,1,0],[2,0,0]]: predicted = [5,1,0]; precision = [0.4, 1, 0]; F1 = [4/7, 2/3, 0].
    const r = evaluate([0, 0, 1, 1, 2, 2], [0, 0, 1, 0, 0, 0], [200, 50, 5], ['cat', 'dog', 'emu']);
    expect(r.macroPrecision).toBeCloseTo((0.4 + 1 + 0) / 3, 12);
    expect(r.macroF1).toBeCloseTo((4 / 7 + 2 / 3 + 0) / 3, 12);
    expect(r.perClass.map((c) => c.precision)).toEqual([0.4, 1, 0]);
    expect(r.perClass[0]!.f1).toBeCloseTo(4 / 7, 12);
  });

  it('leaves ECE, the reliability table and top-5 null without probabilities (current callers)', () => {
    const r = evaluate([0, 1], [0, 1], [500, 300], ['a', 'b']);
    expect([r.ece, r.reliability, r.top5]).toEqual([null, null, null]);
    expect(formatReport(r)).not.toContain('ECE');
    expect(formatReport(r)).toContain('macro-F1           100.0%');
  });

  it('with probabilities reports ECE and its table, and top-5 only from 10 classes on', () => {
    // Two samples, 3 classes: confidences 0.8 (correct) and 0.6 (wrong) → ECE = (|1 − 0.8| + |0 − 0.6|) / 2 = 0.4.
    const probs = [0.8, 0.1, 0.1, 0.6, 0.3, 0.1];
    const r = evaluate([0, 1], [0, 0], [500, 300, 10], ['a', 'b', 'c'], undefined, probs);
    expect(r.ece).toBeCloseTo(0.4, 6);
    expect(r.reliability).toHaveLength(15);
    expect(r.top5).toBeNull();
    expect(formatReport(r)).toMatch(/ECE {16}40\.0% {2}\(15 equal-width bins\)/);

    const c = 10;
    const labels = [3, 7];
    const p10 = new Float32Array(2 * c).fill(0.05);
    p10[3] = 0.55; // sample 0: class 3 first
    p10[c + 0] = 0.2; p10[c + 1] = 0.15; p10[c + 2] = 0.12; p10[c + 4] = 0.11; p10[c + 5] = 0.1; // sample 1: class 7 ranks 8th (5 higher, ties with 3 and 6 before it)
    const r10 = evaluate(labels, [3, 0], Array.from({ length: c }, (_, i) => 100 - i), [], undefined, p10, 10);
    expect(r10.top5).toBe(0.5);
    expect(r10.reliability).toHaveLength(10);
  });
});

describe('evaluate with a diverged model', () => {
  it('reports calibration and top-5 as null when probabilities are not finite', () => {
    const r = evaluate([0, 1], [0, 0], [10, 5], ['a', 'b'], undefined, [Number.NaN, Number.NaN, 0.5, 0.5]);
    expect(r.ece).toBeNull();
    expect(r.reliability).toBeNull();
    expect(r.balancedAccuracy).toBe(0.5);
  });
});
