/** Losses: per-example functions prepared from class counts, and the one shared reduction. */
export { verifyLoss } from './verification/verify-loss.js';
export type { VerifyLossOptions, LossVerification, PropertyOutcome } from './verification/verify-loss.js';
export { formatLossVerification } from './verification/format-verification.js';
export type { ReplayStyle } from './verification/format-verification.js';
export { LOSS_PROPERTIES, LOSS_PROPERTY_IDS, crossEntropyReference, softmaxNll64 } from './verification/loss-properties.js';
export type { LossProperty, LossPropertyId, LossEquivalence, ConfigFor } from './verification/loss-properties.js';
export { lossProblemArb, permuteClasses } from './verification/loss-problem-arbitrary.js';
export type { LossProblem, LossProblemOptions } from './verification/loss-problem-arbitrary.js';
export { defineLoss } from './loss-spec.js';
export type { LossSpec, LossInputs, LossNeed } from './loss-spec.js';
export { reduceLoss } from './reduce.js';
export type { Reduction } from './reduce.js';
export { crossEntropy, crossEntropyPerExample, CrossEntropyConfig } from './cross-entropy.js';
export { focal, focalPerExample, FocalConfig } from './focal.js';
export type { FocalPrepared } from './focal.js';
export { classBalanced, classBalancedWeights, ClassBalancedConfig } from './class-balanced.js';
export type { ClassBalancedPrepared } from './class-balanced.js';
export {
  weightedCrossEntropy,
  inverseFrequencyWeights,
  perExampleClassWeights,
  WeightedCrossEntropyConfig,
  ClassWeightsChoice,
} from './weighted-cross-entropy.js';
export type { WeightedCrossEntropyPrepared } from './weighted-cross-entropy.js';
export { ldam, ldamMargins, LdamConfig } from './ldam.js';
export type { LdamPrepared } from './ldam.js';
export { balancedSoftmax, BalancedSoftmaxConfig } from './balanced-softmax.js';
export type { BalancedSoftmaxPrepared } from './balanced-softmax.js';
export { logitAdjusted, logitAdjustments, offsetCrossEntropy, LogitAdjustedConfig } from './logit-adjusted.js';
export type { LogitAdjustedPrepared } from './logit-adjusted.js';
export { vsLoss, vsAdjustments, VsLossConfig } from './vs-loss.js';
export type { VsAdjustments } from './vs-loss.js';
export { cdt, cdtTemperatures, CdtConfig } from './cdt.js';
export type { CdtPrepared } from './cdt.js';
export { maximumMargin, maximumMarginBoundaries, MaximumMarginConfig } from './maximum-margin.js';
export type { MaximumMarginPrepared } from './maximum-margin.js';
export {
  parametricCrossEntropy,
  parametricCrossEntropyPerExample,
  ParametricCrossEntropyConfig,
} from './parametric-cross-entropy.js';
export type { ParametricCrossEntropyPrepared, ParametricCrossEntropyParams } from './parametric-cross-entropy.js';
export {
  distributionBalanced,
  distributionBalancedPerExample,
  distributionBalancedLogitShift,
  multiHotTargets,
  DistributionBalancedConfig,
} from './distribution-balanced.js';
export type { DistributionBalancedPrepared } from './distribution-balanced.js';
export { rescomSupcon, rescomClassWeights, rescomContrastivePerExample, l2Normalise, RescomSupconConfig } from './rescom-supcon.js';
export type { RescomSupconPrepared, MinedQueue } from './rescom-supcon.js';
export { siameseBalancedSoftmax, siameseBalancedSoftmaxOffsets, SiameseBalancedSoftmaxConfig } from './siamese-balanced-softmax.js';
export type { SiameseBalancedSoftmaxPrepared } from './siamese-balanced-softmax.js';
export { rescom, RescomConfig } from './rescom.js';
export type { RescomPrepared } from './rescom.js';
export { createClassBalancedQueue, enqueueClassBalanced, classBalancedQueueLabels } from './class-balanced-queue.js';
export type { ClassBalancedQueue } from './class-balanced-queue.js';
export { losses } from './registry.js';
export { cri, CriConfig } from './cri.js';
export type { CriPrepared } from './cri.js';
export { pal, PalConfig } from './pal.js';
export type { PalPrepared } from './pal.js';
export { lmSoftmax, lmSoftmaxTerm, LmSoftmaxConfig } from './lm-softmax.js';
export { gmSoftmax, gmTargetLogit, GmSoftmaxConfig } from './gm-softmax.js';
export { sampleMargin, sampleMarginPenalty, SampleMarginConfig } from './sample-margin.js';
export { zeroCentroid, zeroCentroidPenalty, ZeroCentroidConfig } from './zero-centroid.js';
export { dbnMixLoss, dbnMixTemperatures, DbnMixLossConfig } from './dbn-mix.js';
export type { DbnMixPrepared } from './dbn-mix.js';
