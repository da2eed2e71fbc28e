/** Schedules as pure functions of the epoch: BBN's α, warm-up + cosine, BBN's rate, deferred re-sampling, SAM's ρ, a linear ramp. */
export { cumulativeLearningAlpha, bbnDivisorEpoch } from './cumulative-learning.js';
export { warmupCosineDecay } from './warmup-cosine.js';
export type { WarmupCosine } from './warmup-cosine.js';
export { bbnLearningRate, bbnLearningRateFor } from './bbn-learning-rate.js';
export type { BbnLearningRate } from './bbn-learning-rate.js';
export { deferredResampling, samplerAt } from './deferred-resampling.js';
export type { DeferredResamplingConfig } from './deferred-resampling.js';
export { samRhoSchedule, steppedRho } from './sam-rho.js';
export type { RhoSchedule } from './sam-rho.js';
export { linearRamp } from './linear-ramp.js';
export type { LinearRamp } from './linear-ramp.js';
