/** The samplers tailstream can use by name. */
import { createRegistry, type Registry } from '../../core/registry.js';
import type { Sampler } from './sampler.js';
import { instanceSampler } from './instance-sampler.js';
import { classBalancedSampler } from './class-balanced-sampler.js';

/** Every registered sampler. */
export const samplers: Registry<Sampler> = createRegistry<Sampler>('sampler', [instanceSampler, classBalancedSampler]);
