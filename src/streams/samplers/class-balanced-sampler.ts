/**
 * Class-balanced sampling, i.i.d. form (Kang et al., Decoupling, ICLR 2020, "class-balanced sampling",
 * p_j = 1/C): draw a class uniformly, then a sample of that class uniformly, N times per epoch, with replacement.
 */
import { draw } from '../../core/rng.js';
import { indicesByClass } from '../../data/long-tail.js';
import type { Sampler } from './sampler.js';

/** Every non-empty class equally likely; within a class every sample equally likely. */
export const classBalancedSampler: Sampler = {
  name: 'class-balanced',
  summary: 'a class uniformly, then one of its samples uniformly; N draws per epoch with replacement (Decoupling)',
  classProbabilities: (counts) => {
    const nonEmpty = counts.filter((c) => c > 0).length;
    return counts.map((c) => (c > 0 ? 1 / nonEmpty : 0));
  },
  epochOrder: (ctx, rng) => {
    const byClass = indicesByClass(ctx.labels, ctx.counts.length).filter((a) => a.length > 0);
    return draw(rng, (d) => {
      const out = new Int32Array(ctx.labels.length);
      for (let i = 0; i < out.length; i++) {
        const members = byClass[d.int(0, byClass.length - 1)]!;
        out[i] = members[d.int(0, members.length - 1)]!;
      }
      return out;
    })[0];
  },
};
