/** Evaluation: per-class, balanced and many/medium/few accuracy, macro-F1/precision, calibration, top-k, mAP, confusion matrices, text reports, charts and report.html. */
export { confusionMatrix } from './confusion-matrix.js';
export type { ConfusionMatrix } from './confusion-matrix.js';
export { perClassAccuracy, balancedAccuracy, overallAccuracy, meanDefined } from './per-class-accuracy.js';
export { shotGroupOf, shotGroupAccuracy, describeThresholds, DEFAULT_SHOT_THRESHOLDS } from './shot-groups.js';
export type { ShotThresholds, ShotGroup, ShotGroupResult } from './shot-groups.js';
export { perClassPrecision, macroPrecision, predictionCounts } from './macro-precision.js';
export { perClassF1, macroF1 } from './macro-f1.js';
export { reliabilityTable, reliabilityTableOf, topLabelPredictions, binOf, DEFAULT_CALIBRATION_BINS } from './reliability-table.js';
export type { ReliabilityBin } from './reliability-table.js';
export { expectedCalibrationError } from './expected-calibration-error.js';
export { topKAccuracy } from './top-k-accuracy.js';
export { averagePrecision, meanAveragePrecision } from './mean-average-precision.js';
export type { MeanAveragePrecision } from './mean-average-precision.js';
export { shotGroupMeanAveragePrecision } from './shot-group-mean-average-precision.js';
export type { ShotGroupMeanAveragePrecision } from './shot-group-mean-average-precision.js';
export { evaluate, TOP5_MIN_CLASSES } from './evaluate.js';
export type { EvaluationReport, PerClassResult } from './evaluate.js';
export { formatReport, formatPercent } from './format-report.js';
export {
  CHART_CONFIG,
  SHOT_GROUP_SCALE,
  VEGA_LITE_SCHEMA,
  perClassAccuracyChart,
  perClassAccuracyPoints,
  longTailProfileChart,
  longTailProfileBars,
  imbalanceRatio,
  classLabel,
  confusionMatrixChart,
  confusionCells,
  trainingCurvesChart,
  trainingCurvePoints,
  reliabilityDiagramChart,
  reliabilityBars,
  compareRuns,
  findBaseline,
  formatDelta,
  formatPoints,
  COMPARISON_METRICS,
  COMPARISON_METRIC_INFO,
  runComparisonChart,
  comparisonChartCells,
  renderSvg,
  renderPng,
  pngAvailable,
  scopeSvgIds,
} from './charts/index.js';
export type {
  ChartSpec,
  PerClassAccuracyPoint,
  LongTailProfileBar,
  ConfusionCell,
  TrainingLogRecord,
  CurvePoint,
  ReliabilityBar,
  RunSummary,
  RunComparison,
  ComparisonRow,
  ComparisonCell,
  ComparisonMetric,
  ComparisonChartCell,
} from './charts/index.js';
export { readRun, decodeLog, runCharts, runSummary, reportHtml, escapeHtml, writeReport, defaultReportDir, MetricsFile, LogRecord, ConfigSummary } from './report/index.js';
export type { RunData, ReportChart, ReportPage, PageRun, PageChart, WriteReportOptions, WrittenReport } from './report/index.js';
export {
  columnNorms,
  linearLogits,
  argmaxRows,
  softmaxRows,
  balancedAccuracyOf,
  tauNormalizeKernel,
  tauNormalizedLogits,
  selectTau,
  TAU_GRID,
  posthocAdjustments,
  posthocAdjustLogits,
  posthocAdjustProbabilities,
  fitMarc,
  marcLogits,
  marcLossAndGradient,
  marcLearningRate,
  grwClassWeights,
  identityMarc,
  MARC_DEFAULTS,
} from './calibration/index.js';
export type { TauSelection, MarcParameters, MarcOptions, MarcFit, MarcLossAndGradient } from './calibration/index.js';
