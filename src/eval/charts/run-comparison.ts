/**
 * Several runs side by side, with each metric's difference from the cross-entropy baseline: the way
 * long-tailed papers read their tables (a method's gain over plain CE at the same budget).
 *
 * The baseline is the first run whose recipe is `ce`, else the first run named `ce`; without one there are
 * no deltas. Deltas are in the metric's own unit (value − baseline); `better` says whether a delta is an
 * improvement (ECE is better lower).
 */

/** What the comparison needs of a run. */
export interface RunSummary {
  /** A name unique among the compared runs (the folder's name). */
  readonly name: string;
  /** The recipe that produced the run, when known. */
  readonly recipe?: string | null;
  readonly metrics: Partial<Record<ComparisonMetric, number | null | undefined>>;
}

/** The compared metrics, in column order. */
export const COMPARISON_METRICS = ['overallAccuracy', 'balancedAccuracy', 'many', 'medium', 'few', 'macroF1', 'top5', 'ece'] as const;
/** A compared metric. */
export type ComparisonMetric = (typeof COMPARISON_METRICS)[number];

/** Column headings and whether higher is better. */
export const COMPARISON_METRIC_INFO: Readonly<Record<ComparisonMetric, { readonly label: string; readonly higherIsBetter: boolean }>> = {
  overallAccuracy: { label: 'accuracy', higherIsBetter: true },
  balancedAccuracy: { label: 'balanced acc.', higherIsBetter: true },
  many: { label: 'many', higherIsBetter: true },
  medium: { label: 'medium', higherIsBetter: true },
  few: { label: 'few', higherIsBetter: true },
  macroF1: { label: 'macro-F1', higherIsBetter: true },
  top5: { label: 'top-5', higherIsBetter: true },
  ece: { label: 'ECE', higherIsBetter: false },
};

/** One cell of the comparison. */
export interface ComparisonCell {
  readonly value: number | null;
  /** value − baseline value; null for the baseline itself, without a baseline, or when either is missing. */
  readonly delta: number | null;
  /** Whether the delta is an improvement (null when there is no delta or it is 0). */
  readonly better: boolean | null;
}

/** One row (run) of the comparison. */
export interface ComparisonRow {
  readonly name: string;
  readonly recipe: string | null;
  readonly isBaseline: boolean;
  readonly cells: Readonly<Record<ComparisonMetric, ComparisonCell>>;
}

/** The comparison table. */
export interface RunComparison {
  /** The baseline run's name, or null. */
  readonly baseline: string | null;
  /** Metrics that at least one run has. */
  readonly metrics: ComparisonMetric[];
  readonly rows: ComparisonRow[];
}

/** The run deltas are measured against: recipe `ce` first, else a run named `ce`; undefined when none. */
export const findBaseline = (runs: ReadonlyArray<RunSummary>): RunSummary | undefined =>
  runs.find((r) => r.recipe === 'ce') ?? runs.find((r) => r.name === 'ce');

const valueOf = (r: RunSummary, m: ComparisonMetric): number | null => {
  const v = r.metrics[m];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/** Builds the comparison table of `runs` (in their order). */
export const compareRuns = (runs: ReadonlyArray<RunSummary>): RunComparison => {
  const base = findBaseline(runs);
  const metrics = COMPARISON_METRICS.filter((m) => runs.some((r) => valueOf(r, m) !== null));
  const rows = runs.map((r) => {
    const isBaseline = r === base;
    const cells = Object.fromEntries(
      COMPARISON_METRICS.map((m) => {
        const value = valueOf(r, m);
        const ref = base === undefined ? null : valueOf(base, m);
        const delta = isBaseline || value === null || ref === null ? null : value - ref;
        const better = delta === null || delta === 0 ? null : COMPARISON_METRIC_INFO[m].higherIsBetter ? delta > 0 : delta < 0;
        return [m, { value, delta, better }];
      }),
    ) as Record<ComparisonMetric, ComparisonCell>;
    return { name: r.name, recipe: r.recipe ?? null, isBaseline, cells };
  });
  return { baseline: base?.name ?? null, metrics, rows };
};

/** "45.2" (a fraction as percentage points with one decimal), "–" for a missing value. */
export const formatPoints = (x: number | null): string => (x === null ? '–' : (100 * x).toFixed(1));

/** "+3.1" / "−0.4" (percentage points, with a sign), "" without a delta. */
export const formatDelta = (d: number | null): string => {
  if (d === null) return '';
  const s = (100 * d).toFixed(1);
  return d > 0 ? `+${s}` : d < 0 ? s.replace('-', '−') : '±0.0';
};
