import { describe, expect, it } from 'vitest';
import { perClassAccuracyChart, perClassAccuracyPoints } from '../../../src/eval/charts/per-class-accuracy-chart.js';
import { allInlineData, compileWarnings } from './compile-spec.js';

const perClass = [
  { class: 0, name: 'cat', trainCount: 500, accuracy: 0.9 },
  { class: 1, name: 'dog', trainCount: 50, accuracy: 0.5 },
  { class: 2, name: 'emu', trainCount: 5, accuracy: 0.1 },
  { class: 3, name: 'gnu', trainCount: 7, accuracy: null },
  { class: 4, name: 'yak', trainCount: 0, accuracy: 0 },
];

describe('per-class accuracy chart', () => {
  it('has one point per class with an accuracy and training images, with its shot group', () => {
    expect(perClassAccuracyPoints(perClass)).toEqual([
      { class: 0, name: 'cat', trainCount: 500, accuracy: 0.9, group: 'many' },
      { class: 1, name: 'dog', trainCount: 50, accuracy: 0.5, group: 'medium' },
      { class: 2, name: 'emu', trainCount: 5, accuracy: 0.1, group: 'few' },
    ]);
  });

  it('puts training count on a log x axis and accuracy on a 0–1 y axis, with threshold rules', () => {
    const spec = perClassAccuracyChart(perClass) as unknown as { layer: Array<{ encoding: Record<string, { field?: string; scale?: { type?: string; domain?: number[] } }> }> };
    const points = spec.layer[1]!.encoding;
    expect(points.x!.field).toBe('trainCount');
    expect(points.x!.scale!.type).toBe('log');
    expect(points.x!.scale!.domain![0]).toBeGreaterThan(0);
    expect(points.y!.field).toBe('accuracy');
    expect(points.y!.scale!.domain).toEqual([0, 1]);
    expect(points.color!.field).toBe('group');
    const [rules, data] = allInlineData(spec);
    expect(rules!.map((r) => r.threshold)).toEqual([20, 100]);
    expect(data).toHaveLength(3);
    expect(compileWarnings(spec)).toEqual([]);
  });
});
