/** Evaluation: per-class, balanced and many/medium/few accuracy, confusion matrices, text reports. */
export { confusionMatrix } from './confusion-matrix.js';
export type { ConfusionMatrix } from './confusion-matrix.js';
export { perClassAccuracy, balancedAccuracy, overallAccuracy, meanDefined } from './per-class-accuracy.js';
export { shotGroupOf, shotGroupAccuracy, describeThresholds, DEFAULT_SHOT_THRESHOLDS } from './shot-groups.js';
export type { ShotThresholds, ShotGroup, ShotGroupResult } from './shot-groups.js';
export { evaluate } from './evaluate.js';
export type { EvaluationReport } from './evaluate.js';
export { formatReport, formatPercent } from './format-report.js';
