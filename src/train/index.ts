/** Training: the step, SGD-momentum, schedules and the training stream. */
export { trainStep, mixedPerExample } from './step.js';
export type { StepResult, TrainState } from './step.js';
export { createSgdMomentum } from './sgd-momentum.js';
export type { SgdConfig, SgdMomentum } from './sgd-momentum.js';
export { warmupStepDecay, ldamSchedule } from './learning-rate.js';
export type { WarmupStepDecay, Milestone } from './learning-rate.js';
export { fit, fitEpoch, stepOperator, START_CURSOR } from './fit.js';
export type { FitEvent, FitTransform, FitOptions, StepEvent, EpochEvent, EpochTotals, FitCursor, NonFinitePolicy } from './fit.js';
export { predict } from './predict.js';
export type { Predictions } from './predict.js';
export { encodeCheckpoint, decodeCheckpoint, captureCheckpoint, restoreCheckpoint, restoreModel } from './checkpoint.js';
export type { Checkpoint, HostTensor } from './checkpoint.js';
export { deferredReweighting, applyClassWeights } from './class-weight-schedule.js';
export type { ClassWeightSchedule } from './class-weight-schedule.js';
