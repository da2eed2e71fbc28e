/**
 * Class-aware sampling, the cycling form of class-balanced sampling (Shen et al. 2016; Kang et al.,
 * Decoupling, ICLR 2020; `data/ClassAwareSampler.py` in facebookresearch/classifier-balancing):
 * classes are visited in a cycling order that is reshuffled at the start of every cycle; each visit
 * takes `samplesPerClass` consecutive samples from that class's own cycling iterator, which is
 * reshuffled every time it wraps around. Every class is therefore visited equally often (±1 visit).
 *
 * Differences from the reference: the epoch has N draws (the training-set size, like every tailstream
 * sampler) rather than n_max · C, and the cycling state starts afresh each epoch from the epoch's Rng,
 * so an epoch can be rebuilt from its key alone.
 */
import { draw } from '../../core/rng.js';
import { indicesByClass } from '../../data/long-tail.js';
import type { Sampler } from './sampler.js';
import { powerProbabilities } from './class-draws.js';

/** Parameters of `classAwareSampler`. */
export interface ClassAwareSamplerOptions {
  /** Consecutive samples taken per class visit (Decoupling's `num_samples_cls`; default 1). */
  readonly samplesPerClass?: number;
}

/**
 * A class-aware (cycling) sampler: every non-empty class has probability 1/C and is visited equally
 * often within an epoch; within a class, samples are cycled in reshuffled passes (no sample repeats
 * before all of its class has been seen).
 * @throws Error when `samplesPerClass` is not a positive integer
 */
export const classAwareSampler = (options: ClassAwareSamplerOptions = {}): Sampler => {
  const perVisit = options.samplesPerClass ?? 1;
  if (!(Number.isInteger(perVisit) && perVisit > 0)) {
    throw new Error(`classAwareSampler: samplesPerClass must be a positive integer, got ${perVisit}`);
  }
  return {
    name: 'class-aware',
    summary: `classes visited in reshuffled cycles, ${perVisit} sample(s) per visit from each class's reshuffled cycle; N draws per epoch (Decoupling's ClassAwareSampler)`,
    classProbabilities: (counts) => powerProbabilities(counts, 0),
    epochOrder: (ctx, rng) => {
      const members = indicesByClass(ctx.labels, ctx.counts.length).filter((a) => a.length > 0);
      const n = ctx.labels.length;
      return draw(rng, (d) => {
        const out = new Int32Array(n);
        if (members.length === 0) return out;
        const classOrder = d.permutation(members.length);
        let classAt = 0;
        // Each class's cycle starts as a fresh shuffle; `at[c]` is the next position in it.
        const cycles = members.map((m) => d.shuffle(Int32Array.from(m)));
        const at = new Int32Array(members.length);
        let i = 0;
        while (i < n) {
          if (classAt === classOrder.length) {
            d.shuffle(classOrder);
            classAt = 0;
          }
          const c = classOrder[classAt++]!;
          const cycle = cycles[c]!;
          for (let k = 0; k < perVisit && i < n; k++) {
            if (at[c] === cycle.length) {
              d.shuffle(cycle);
              at[c] = 0;
            }
            out[i++] = cycle[at[c]!++]!;
          }
        }
        return out;
      })[0];
    },
  };
};
