/** Evaluation: per-class, balanced and many/medium/few accuracy, confusion matrices, text reports. */
export { confusionMatrix } from './confusion-matrix.js';
export type { ConfusionMatrix } from './confusion-matrix.js';
export { perClassAccuracy, balancedAccuracy, overallAccuracy, meanDefined } from './per-class-accuracy.js';
export { shotGroupOf, shotGroupAccuracy, describeThresholds, DEFAULT_SHOT_THRESHOLDS } from './shot-groups.js';
export type { ShotThresholds, ShotGroup, ShotGroupResult } from './shot-groups.js';
export { evaluate } from './evaluate.js';
export type { EvaluationReport } from './evaluate.js';
export { formatReport, formatPercent } from './format-report.js';
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
