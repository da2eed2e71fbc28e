import { describe, expect, it } from 'vitest';
import { compareRuns, findBaseline, formatDelta, formatPoints } from '../../../src/eval/charts/run-comparison.js';
import { comparisonChartCells, runComparisonChart } from '../../../src/eval/charts/run-comparison-chart.js';
import { compileWarnings, inlineData } from './compile-spec.js';

const runs = [
  { name: 'ldam', recipe: 'ldam-drw', metrics: { overallAccuracy: 0.72, balancedAccuracy: 0.58, ece: 0.12, few: null } },
  { name: 'baseline-seed0', recipe: 'ce', metrics: { overallAccuracy: 0.7, balancedAccuracy: 0.5, ece: 0.1, few: 0.2 } },
  { name: 'ce', recipe: null, metrics: { overallAccuracy: 0.1 } },
];

describe('run comparison', () => {
  it('takes the run with recipe ce as baseline before one named ce', () => {
    expect(findBaseline(runs)?.name).toBe('baseline-seed0');
    expect(findBaseline([runs[0]!, runs[2]!])?.name).toBe('ce');
    expect(findBaseline([runs[0]!])).toBeUndefined();
  });

  it('gives each value its delta against the baseline, and whether it is better (ECE lower)', () => {
    const c = compareRuns(runs);
    expect(c.baseline).toBe('baseline-seed0');
    expect(c.metrics).toEqual(['overallAccuracy', 'balancedAccuracy', 'few', 'ece']);
    const ldam = c.rows[0]!.cells;
    expect(ldam.balancedAccuracy.delta).toBeCloseTo(0.08, 12);
    expect(ldam.balancedAccuracy.better).toBe(true);
    expect(ldam.ece.delta).toBeCloseTo(0.02, 12);
    expect(ldam.ece.better).toBe(false);
    expect(ldam.few).toEqual({ value: null, delta: null, better: null });
    expect(c.rows[1]!.isBaseline).toBe(true);
    expect(c.rows[1]!.cells.overallAccuracy.delta).toBeNull();
  });

  it('has no deltas without a baseline', () => {
    const c = compareRuns([runs[0]!]);
    expect(c.baseline).toBeNull();
    expect(c.rows[0]!.cells.overallAccuracy).toEqual({ value: 0.72, delta: null, better: null });
  });

  it('formats points and signed deltas', () => {
    expect([formatPoints(0.4567), formatPoints(null)]).toEqual(['45.7', '–']);
    expect([formatDelta(0.031), formatDelta(-0.004), formatDelta(0), formatDelta(null)]).toEqual(['+3.1', '−0.4', '±0.0', '']);
  });

  it('draws the table as run × metric cells with value, delta and signed improvement', () => {
    const c = compareRuns(runs);
    const cells = comparisonChartCells(c);
    expect(cells).toHaveLength(3 * 4);
    expect(cells[1]).toEqual({ run: 'ldam', metric: 'balanced acc.', text: '58.0 (+8.0)', improvement: expect.closeTo(8, 9) });
    expect(cells[3]!.improvement).toBeCloseTo(-2, 9); // ECE up 2 points is worse
    expect(cells[4]!.run).toBe('baseline-seed0 (baseline)');
    const spec = runComparisonChart(c) as unknown as { encoding: Record<string, { field: string }> };
    expect([spec.encoding.x!.field, spec.encoding.y!.field]).toEqual(['metric', 'run']);
    expect(inlineData(spec)).toHaveLength(12);
    expect(compileWarnings(spec)).toEqual([]);
  });
});
