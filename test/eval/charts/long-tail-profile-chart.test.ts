import { describe, expect, it } from 'vitest';
import { classLabel, imbalanceRatio, longTailProfileBars, longTailProfileChart } from '../../../src/eval/charts/long-tail-profile-chart.js';
import { compileWarnings, inlineData } from './compile-spec.js';

describe('long-tail profile chart', () => {
  it('has one bar per class, most frequent first, with its group and a unique label', () => {
    const bars = longTailProfileBars([50, 500, 5, 50], ['a', 'b', '2']);
    expect(bars.map((b) => [b.class, b.label, b.trainCount, b.rank, b.group])).toEqual([
      [1, '1 b', 500, 0, 'many'],
      [0, '0 a', 50, 1, 'medium'],
      [3, '3', 50, 2, 'medium'],
      [2, '2', 5, 3, 'few'],
    ]);
    expect(classLabel(7, 'Sneaker')).toBe('7 Sneaker');
  });

  it('reports the imbalance ratio over classes with images', () => {
    expect(imbalanceRatio([500, 50, 5, 0])).toBe(100);
    expect(imbalanceRatio([0, 0])).toBeNull();
  });

  it('draws bars of training count by class in rank order', () => {
    const spec = longTailProfileChart([500, 158, 50, 16, 5]) as unknown as { mark: { type: string }; encoding: Record<string, { field: string; sort?: string[] }>; title: { subtitle: string } };
    expect(spec.mark.type).toBe('bar');
    expect(spec.encoding.x!.field).toBe('label');
    expect(spec.encoding.x!.sort).toEqual(['0', '1', '2', '3', '4']);
    expect(spec.encoding.y!.field).toBe('trainCount');
    expect(spec.title.subtitle).toBe('5 classes, 729 images, imbalance ratio 100');
    expect(inlineData(spec)).toHaveLength(5);
    expect(compileWarnings(spec)).toEqual([]);
  });
});
