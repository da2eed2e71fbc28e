import { describe, expect, it } from 'vitest';
import { trainingCurvePoints, trainingCurvesChart } from '../../../src/eval/charts/training-curves-chart.js';
import { allInlineData, compileWarnings } from './compile-spec.js';

// Records as run-training appends them to log.jsonl (JSON turns a NaN loss into null).
const records = [
  { kind: 'epoch', epoch: 0, lr: 0.01, trainLoss: 2.1, trainAccuracy: 0.3, samples: 100, skippedBatches: 0, testAccuracy: 0.4, testBalancedAccuracy: 0.2, testShotGroups: { many: 0.6, medium: 0.2, few: null } },
  { kind: 'epoch', epoch: 1, lr: 0.01, trainLoss: null, trainAccuracy: 0.5, samples: 100, skippedBatches: 0 },
];

describe('training curves chart', () => {
  it('turns log records into long-format points with 1-based epochs, skipping missing values', () => {
    const { loss, accuracy } = trainingCurvePoints(records);
    expect(loss).toEqual([{ epoch: 1, series: 'training loss', value: 2.1 }]);
    expect(accuracy).toEqual([
      { epoch: 1, series: 'train accuracy', value: 0.3 },
      { epoch: 1, series: 'test accuracy', value: 0.4 },
      { epoch: 1, series: 'test balanced accuracy', value: 0.2 },
      { epoch: 1, series: 'test many-shot', value: 0.6 },
      { epoch: 1, series: 'test medium-shot', value: 0.2 },
      { epoch: 2, series: 'train accuracy', value: 0.5 },
    ]);
  });

  it('draws a loss panel and an accuracy panel over epochs, coloured by series', () => {
    const spec = trainingCurvesChart(records) as unknown as { hconcat: Array<{ mark: { type: string }; encoding: Record<string, { field: string; scale?: { domain?: unknown[] } }> }> };
    expect(spec.hconcat).toHaveLength(2);
    expect(spec.hconcat.map((s) => s.mark.type)).toEqual(['line', 'line']);
    expect(spec.hconcat[0]!.encoding.x!.field).toBe('epoch');
    expect(spec.hconcat[1]!.encoding.color!.field).toBe('series');
    expect(spec.hconcat[1]!.encoding.color!.scale!.domain).toEqual(['train accuracy', 'test accuracy', 'test balanced accuracy', 'test many-shot', 'test medium-shot']);
    expect(allInlineData(spec).map((d) => d.length)).toEqual([1, 6]);
    expect(compileWarnings(spec)).toEqual([]);
  });
});
