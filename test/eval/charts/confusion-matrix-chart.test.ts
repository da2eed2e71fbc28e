import { describe, expect, it } from 'vitest';
import { confusionCells, confusionMatrixChart, MAX_LABELLED_CLASSES } from '../../../src/eval/charts/confusion-matrix-chart.js';
import { compileWarnings, inlineData } from './compile-spec.js';

describe('confusion matrix heat map', () => {
  const m = [
    [3, 1],
    [0, 0],
  ];

  it('has C² cells with counts and row-normalized fractions (null for a row without samples)', () => {
    expect(confusionCells(m, ['cat', 'dog'])).toEqual([
      { true: '0 cat', predicted: '0 cat', count: 3, fraction: 0.75 },
      { true: '0 cat', predicted: '1 dog', count: 1, fraction: 0.25 },
      { true: '1 dog', predicted: '0 cat', count: 0, fraction: null },
      { true: '1 dog', predicted: '1 dog', count: 0, fraction: null },
    ]);
  });

  it('maps predicted to x, true to y (in class order) and fraction to colour, with counts as text for small C', () => {
    const spec = confusionMatrixChart(m) as unknown as { encoding: Record<string, { field: string; sort: string[] }>; layer: Array<{ mark: { type: string }; encoding: Record<string, { field?: string }> }> };
    expect(spec.encoding.x!.field).toBe('predicted');
    expect(spec.encoding.y!.field).toBe('true');
    expect(spec.encoding.y!.sort).toEqual(['0', '1']);
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['rect', 'text']);
    expect(spec.layer[0]!.encoding.color!.field).toBe('fraction');
    expect(inlineData(spec)).toHaveLength(4);
    expect(compileWarnings(spec)).toEqual([]);
  });

  it('drops the cell text above MAX_LABELLED_CLASSES classes', () => {
    const c = MAX_LABELLED_CLASSES + 1;
    const big = Array.from({ length: c }, (_, t) => Array.from({ length: c }, (_, p) => (t === p ? 5 : 0)));
    const spec = confusionMatrixChart(big) as unknown as { layer: unknown[] };
    expect(spec.layer).toHaveLength(1);
    expect(inlineData(spec)).toHaveLength(c * c);
  });
});
