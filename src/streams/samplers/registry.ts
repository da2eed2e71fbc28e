/** The samplers tailstream can use by name (parameterised ones with their papers' defaults). */
import { createRegistry, type Registry } from '../../core/registry.js';
import type { Sampler } from './sampler.js';
import { instanceSampler } from './instance-sampler.js';
import { classBalancedSampler } from './class-balanced-sampler.js';
import { classAwareSampler } from './class-aware-sampler.js';
import { squareRootSampler } from './square-root-sampler.js';
import { progressiveSampler } from './progressive-sampler.js';
import { reversedSampler } from './reversed-sampler.js';
import { minoritySampler } from './minority-sampler.js';
import { targetRatioSampler } from './target-ratio-sampler.js';
import { multiLabelSampler } from './multi-label-sampler.js';

/**
 * Every registered sampler: `minority` with CMO's α = 1, `target-ratio` with ρ′ = 10, `class-aware`
 * with one sample per class visit (Decoupling's default), `multi-label` for single-label data (each
 * sample's label set is {its label}); build others, and multi-label ones with label sets, with the factories.
 */
export const samplers: Registry<Sampler> = createRegistry<Sampler>('sampler', [
  instanceSampler,
  classBalancedSampler,
  classAwareSampler(),
  squareRootSampler,
  progressiveSampler,
  reversedSampler,
  minoritySampler(),
  targetRatioSampler(),
  multiLabelSampler(),
]);
