/** Samplers: class probabilities from counts, index orders from an Rng. */
export type { Sampler, SamplerContext } from './sampler.js';
export { instanceSampler } from './instance-sampler.js';
export { classBalancedSampler } from './class-balanced-sampler.js';
export { classAwareSampler } from './class-aware-sampler.js';
export type { ClassAwareSamplerOptions } from './class-aware-sampler.js';
export { squareRootSampler } from './square-root-sampler.js';
export { progressiveSampler } from './progressive-sampler.js';
export { reversedSampler } from './reversed-sampler.js';
export { minoritySampler } from './minority-sampler.js';
export type { MinoritySamplerOptions } from './minority-sampler.js';
export { targetRatioSampler } from './target-ratio-sampler.js';
export type { TargetRatioSamplerOptions } from './target-ratio-sampler.js';
export {
  multiLabelSampler,
  multiLabelSampleWeights,
  multiLabelClassCounts,
  rarestLabel,
  expectedClassMass,
  drawWeighted,
} from './multi-label-sampler.js';
export type { MultiLabelSamplerOptions, MultiLabelWeighting, LabelSets } from './multi-label-sampler.js';
export { powerProbabilities, drawClassThenMember, normalise } from './class-draws.js';
export { samplers } from './registry.js';
