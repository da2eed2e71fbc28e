/** Post-hoc calibration of a trained classifier: τ-normalisation, logit adjustment, MARC. */
export { columnNorms, linearLogits, argmaxRows, softmaxRows, balancedAccuracyOf } from './host-matrix.js';
export { tauNormalizeKernel, tauNormalizedLogits, selectTau, TAU_GRID } from './tau-normalization.js';
export type { TauSelection } from './tau-normalization.js';
export { posthocAdjustments, posthocAdjustLogits, posthocAdjustProbabilities } from './posthoc-logit-adjustment.js';
export { fitMarc, marcLogits, marcLossAndGradient, marcLearningRate, grwClassWeights, identityMarc, MARC_DEFAULTS } from './marc.js';
export type { MarcParameters, MarcOptions, MarcFit, MarcLossAndGradient } from './marc.js';
