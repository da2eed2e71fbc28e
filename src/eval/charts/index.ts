/** Charts: Vega-Lite specs as pure functions of the metrics, and their rendering to SVG and PNG in Node. */
export { CHART_CONFIG, CHART_FONT, SHOT_GROUPS, SHOT_GROUP_SCALE, VEGA_LITE_SCHEMA } from './chart-theme.js';
export type { ChartSpec } from './chart-theme.js';
export { perClassAccuracyChart, perClassAccuracyPoints } from './per-class-accuracy-chart.js';
export type { PerClassAccuracyPoint } from './per-class-accuracy-chart.js';
export { longTailProfileChart, longTailProfileBars, imbalanceRatio, classLabel } from './long-tail-profile-chart.js';
export type { LongTailProfileBar } from './long-tail-profile-chart.js';
export { confusionMatrixChart, confusionCells, MAX_LABELLED_CLASSES } from './confusion-matrix-chart.js';
export type { ConfusionCell } from './confusion-matrix-chart.js';
export { trainingCurvesChart, trainingCurvePoints, ACCURACY_SERIES } from './training-curves-chart.js';
export type { TrainingLogRecord, CurvePoint } from './training-curves-chart.js';
export { reliabilityDiagramChart, reliabilityBars } from './reliability-diagram-chart.js';
export type { ReliabilityBar } from './reliability-diagram-chart.js';
export { compareRuns, findBaseline, formatDelta, formatPoints, COMPARISON_METRICS, COMPARISON_METRIC_INFO } from './run-comparison.js';
export type { RunSummary, RunComparison, ComparisonRow, ComparisonCell, ComparisonMetric } from './run-comparison.js';
export { runComparisonChart, comparisonChartCells } from './run-comparison-chart.js';
export type { ComparisonChartCell } from './run-comparison-chart.js';
export { renderSvg, renderPng, pngAvailable, scopeSvgIds } from './render-chart.js';
