/**
 * Instance-balanced sampling: every sample once per epoch in a seeded random order (the plain baseline).
 */
import { draw } from '../../core/rng.js';
import type { Sampler } from './sampler.js';

/** Each sample once per epoch, shuffled; class c is drawn with probability n_c / N. */
export const instanceSampler: Sampler = {
  name: 'instance',
  summary: 'every sample once per epoch, shuffled (class c drawn with probability n_c/N)',
  classProbabilities: (counts) => {
    const total = counts.reduce((s, c) => s + c, 0);
    return counts.map((c) => c / total);
  },
  epochOrder: (ctx, rng) => draw(rng, (d) => d.permutation(ctx.labels.length))[0],
};
