/**
 * What a sampler is: class probabilities as a pure function of the counts (and epoch), and an index
 * order for one epoch drawn from an `Rng`.
 */
import type { Rng } from '../../core/rng.js';
import type { Named } from '../../core/registry.js';

/** The inputs every sampler sees. */
export interface SamplerContext {
  /** Label of each training sample, in dataset order. */
  readonly labels: Int32Array;
  /** Training samples per class. */
  readonly counts: readonly number[];
  /** 0-based epoch. */
  readonly epoch: number;
  /** Total epochs of the run (for schedules such as progressive balancing). */
  readonly epochs: number;
  /**
   * The positive labels of each sample of a multi-label set, in dataset order (absent for
   * single-label data; `labels` then holds each sample's rarest label). Multi-label-aware samplers read it.
   */
  readonly labelSets?: ReadonlyArray<readonly number[]>;
}

/** A sampling scheme. */
export interface Sampler extends Named {
  /** Probability that a drawn sample is of class c, for every c. Pure. */
  classProbabilities(counts: readonly number[], epoch: number, epochs: number): number[];
  /** Indices into the training set for one epoch (length N, the training set size). */
  epochOrder(ctx: SamplerContext, rng: Rng): Int32Array;
}
