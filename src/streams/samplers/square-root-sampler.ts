/**
 * Square-root sampling (Kang et al., Decoupling, ICLR 2020, eq. 1 with q = ½; Mahajan et al. 2018):
 * p_j = n_j^{1/2} / Σ_i n_i^{1/2}; a class by p_j, then one of its samples uniformly, N draws per
 * epoch with replacement (`config/ImageNet_LT/feat_squareroot.yaml` in facebookresearch/classifier-balancing).
 */
import type { Sampler } from './sampler.js';
import { drawClassThenMember, powerProbabilities } from './class-draws.js';

/** Class j drawn with probability √n_j / Σ √n_i; within a class every sample equally likely. */
export const squareRootSampler: Sampler = {
  name: 'square-root',
  summary: 'class j with probability √n_j / Σ√n_i, then one of its samples uniformly; N draws per epoch (Decoupling, q = ½)',
  classProbabilities: (counts) => powerProbabilities(counts, 0.5),
  epochOrder: (ctx, rng) => drawClassThenMember(ctx, powerProbabilities(ctx.counts, 0.5), rng),
};
