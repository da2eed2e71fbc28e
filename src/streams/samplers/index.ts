/** Samplers: class probabilities from counts, index orders from an Rng. */
export type { Sampler, SamplerContext } from './sampler.js';
export { instanceSampler } from './instance-sampler.js';
export { classBalancedSampler } from './class-balanced-sampler.js';
export { samplers } from './registry.js';
