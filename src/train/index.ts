/** Training: the step, SGD-momentum, schedules and the training stream. */
export { trainStep, mixedPerExample, reduceStepLoss } from './step.js';
export type { StepResult, TrainState, LossReducer } from './step.js';
export { createSgdMomentum } from './sgd-momentum.js';
export type { SgdConfig, SgdMomentum } from './sgd-momentum.js';
export { warmupStepDecay, ldamSchedule } from './learning-rate.js';
export type { WarmupStepDecay, Milestone } from './learning-rate.js';
export { fit, fitEpoch, stepOperator, START_CURSOR } from './fit.js';
export type { FitEvent, FitTransform, FitOptions, StepEvent, EpochEvent, EpochTotals, FitCursor, NonFinitePolicy, StepFunction, PairStepFunction, BilateralFit } from './fit.js';
export { epochPipeline } from './epoch-pipeline.js';
export type { EpochPipelineOptions, EpochSource, TrainingItem } from './epoch-pipeline.js';
export { samStep, samStepFunction } from './sam.js';
export type { SamOptions } from './sam.js';
export { predict } from './predict.js';
export type { Predictions } from './predict.js';
export { encodeCheckpoint, decodeCheckpoint, captureCheckpoint, restoreCheckpoint, restoreModel } from './checkpoint.js';
export type { Checkpoint, HostTensor } from './checkpoint.js';
export { deferredReweighting, rampedReweighting, applyClassWeights } from './class-weight-schedule.js';
export type { ClassWeightSchedule } from './class-weight-schedule.js';
export {
  cumulativeLearningAlpha,
  bbnDivisorEpoch,
  warmupCosineDecay,
  bbnLearningRate,
  bbnLearningRateFor,
  deferredResampling,
  samplerAt,
  samRhoSchedule,
  steppedRho,
  linearRamp,
} from './schedules/index.js';
export type { WarmupCosine, BbnLearningRate, DeferredResamplingConfig, RhoSchedule, LinearRamp } from './schedules/index.js';
export { absgdReduce, createAbsgd, absgdStepFunction, twoStageLambda, encodeAbsgdState, decodeAbsgdState, ABSGD_DEFAULTS, ABSGD_START, ABSGD_OFF_LAMBDA } from './absgd.js';
export type { Absgd, AbsgdConfig, AbsgdState, AbsgdWeighting, AbsgdReduction } from './absgd.js';
export { bbnStep } from './bbn-step.js';
export { sinkhorn, SINKHORN_DEFAULTS } from './sinkhorn.js';
export type { SinkhornOptions, SinkhornResult } from './sinkhorn.js';
export { otCost, otWeightUpdate, initialOtWeights, OT_WEIGHT_DEFAULTS } from './ot-reweighting.js';
export type { OtCostKind, OtSide, OtWeightOptions, OtWeightStep } from './ot-reweighting.js';
export { createOtReweighting, metaPrototypes, OT_REWEIGHT_DEFAULTS } from './ot-step.js';
export type { OtReweighting, OtReweightConfig } from './ot-step.js';
export { autoBalanceHypergradient, balancedValWeights, lookaheadValLoss } from './autobalance-hypergradient.js';
export type { Hypergradient, HypergradientInputs, LinearClassifier, FeatureBatch } from './autobalance-hypergradient.js';
export { createAutoBalance, autoBalanceSplit, classGroups, perClassParameters, decodeAutoBalanceState, AUTOBALANCE_DEFAULTS } from './autobalance.js';
export type { AutoBalance, AutoBalanceConfig, AutoBalanceState, AutoBalanceSplit } from './autobalance.js';
export { noiseRoutedStepFunction } from './noise-routed-step.js';
export { withClassifierKernel, classifierKernelOf } from './classifier-kernel-loss.js';
export { classifierVariableNames, freezeBackbone, reinitializeClassifier } from './classifier-retraining.js';
export { predictOutputs } from './predict-outputs.js';
export type { ModelOutputs } from './predict-outputs.js';
