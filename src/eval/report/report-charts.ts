/**
 * The charts of one run in a report, and a run's row in the comparison — pure functions of the decoded
 * run folder.
 */
import { confusionMatrixChart } from '../charts/confusion-matrix-chart.js';
import type { ChartSpec } from '../charts/chart-theme.js';
import { longTailProfileChart } from '../charts/long-tail-profile-chart.js';
import { perClassAccuracyChart } from '../charts/per-class-accuracy-chart.js';
import { reliabilityDiagramChart } from '../charts/reliability-diagram-chart.js';
import type { RunSummary } from '../charts/run-comparison.js';
import { trainingCurvesChart } from '../charts/training-curves-chart.js';
import type { RunData } from './read-run.js';

/** The charts a run's section shows, in order. */
export const RUN_CHART_IDS = ['per-class-accuracy', 'long-tail-profile', 'confusion-matrix', 'training-curves', 'reliability-diagram'] as const;
/** A chart of a run's section. */
export type RunChartId = (typeof RUN_CHART_IDS)[number];

/** A chart to draw, or the reason it cannot be drawn from this run folder. */
export type ReportChart =
  | { readonly id: RunChartId; readonly title: string; readonly spec: ChartSpec; readonly note: null }
  | { readonly id: RunChartId; readonly title: string; readonly spec: null; readonly note: string };

/** The run's charts (every id of `RUN_CHART_IDS`, those without data carrying a note instead of a spec). */
export const runCharts = (run: RunData): ReportChart[] => {
  const m = run.metrics;
  const names = m.perClass.map((c) => c.name);
  const titled = (id: RunChartId, title: string, spec: ChartSpec): ReportChart => ({ id, title, spec, note: null });
  const missing = (id: RunChartId, title: string, note: string): ReportChart => ({ id, title, spec: null, note });
  const log = run.log ?? [];
  return [
    titled('per-class-accuracy', 'Per-class accuracy against training count', perClassAccuracyChart(m.perClass, m.shotThresholds, `Per-class accuracy against training count — ${run.name}`)),
    titled('long-tail-profile', 'Long-tail profile', longTailProfileChart(m.trainCounts, names, m.shotThresholds, `Long-tail profile of the training set — ${run.name}`)),
    titled('confusion-matrix', 'Confusion matrix', confusionMatrixChart(m.confusion, names, `Confusion matrix — ${run.name}`)),
    log.length > 0
      ? titled('training-curves', 'Training curves', trainingCurvesChart(log, `Training curves — ${run.name}`))
      : missing('training-curves', 'Training curves', run.log === null ? 'The run folder has no log.jsonl.' : 'log.jsonl holds no epoch.'),
    m.reliability !== undefined && m.reliability !== null
      ? titled('reliability-diagram', 'Reliability diagram', reliabilityDiagramChart(m.reliability, m.ece ?? null, `Reliability diagram — ${run.name}`))
      : missing('reliability-diagram', 'Reliability diagram', 'metrics.json has no reliability table (it was written without probabilities, or by an older tailstream).'),
  ];
};

/** A run's row in the comparison table. */
export const runSummary = (run: RunData): RunSummary => {
  const m = run.metrics;
  return {
    name: run.name,
    recipe: run.config?.recipe ?? null,
    metrics: {
      overallAccuracy: m.overallAccuracy,
      balancedAccuracy: m.balancedAccuracy,
      many: m.shotGroups.many.accuracy,
      medium: m.shotGroups.medium.accuracy,
      few: m.shotGroups.few.accuracy,
      macroF1: m.macroF1 ?? null,
      top5: m.top5 ?? null,
      ece: m.ece ?? null,
    },
  };
};
