import { describe, expect, it } from 'vitest';
import { reliabilityBars, reliabilityDiagramChart } from '../../../src/eval/charts/reliability-diagram-chart.js';
import { reliabilityTableOf } from '../../../src/eval/reliability-table.js';
import { allInlineData, compileWarnings } from './compile-spec.js';

describe('reliability diagram', () => {
  const table = reliabilityTableOf([0.95, 0.85, 0.62, 0.55, 0.3], [1, 0, 1, 1, 0], 5);

  it('has one bar per bin with its gap (accuracy − confidence)', () => {
    const bars = reliabilityBars(table);
    expect(bars).toHaveLength(5);
    expect(bars[0]!.gap).toBeNull();
    expect(bars[4]!.gap).toBeCloseTo(0.5 - 0.9, 12);
    expect(bars[1]).toMatchObject({ lower: 0.2, upper: 0.4, count: 1, accuracy: 0 });
  });

  it('draws accuracy bars over non-empty bins with the diagonal, above a count histogram', () => {
    const spec = reliabilityDiagramChart(table, 0.386) as unknown as { title: { subtitle: string }; vconcat: Array<{ layer?: Array<{ mark: { type: string }; encoding: Record<string, { field?: string; datum?: number }> }> }> };
    expect(spec.title.subtitle).toContain('ECE 38.60%');
    const top = spec.vconcat[0]!.layer!;
    expect(top.map((l) => l.mark.type)).toEqual(['rect', 'line']);
    expect([top[0]!.encoding.x!.field, top[0]!.encoding.x2!.field, top[0]!.encoding.y!.field]).toEqual(['lower', 'upper', 'accuracy']);
    const [filled, diagonal, all] = allInlineData(spec);
    expect(filled).toHaveLength(4);
    expect(diagonal).toEqual([{ lower: 0, accuracy: 0 }, { lower: 1, accuracy: 1 }]);
    expect(all).toHaveLength(5);
    expect(compileWarnings(spec)).toEqual([]);
  });
});
