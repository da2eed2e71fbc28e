/**
 * What a registered transform is: a config codec with cited defaults and a factory. Three kinds:
 * `batch` operators map one batch, `paired` ones (CMO, Open-Sampling) combine the main batch with a
 * batch of a second stream, `bilateral` ones (DBN-Mix) turn a pair of batches into a pair of branch inputs.
 */
import type * as t from 'io-ts';
import type { HostBatch } from '../core/host-batch.js';
import type { Named } from '../core/registry.js';
import type { Normalization } from '../streams/gather-batch.js';
import type { BilateralBatch } from '../streams/bilateral-batches.js';
import type { BatchTransform } from './batch-transform.js';
import type { PairedTransform } from './paired-transform.js';
import type { GradientOracle } from './gradient-oracle.js';

/**
 * Data-dependent constants some operators need (the counts for pure noise and Open-Sampling, the
 * normalisation for noise and fills), and the training context's gradient oracle for the one kind of
 * operator that needs the model (GAE). The oracle is optional so that every other operator, and
 * every caller without a model, is untouched; an operator that needs it says so in its summary.
 */
export interface TransformSetup {
  /** Training samples per class. */
  readonly classCounts: readonly number[];
  /** The per-channel normalisation the batches went through: stored value = (pixel in [0, 1] − mean) / std. */
  readonly normalization: Normalization;
  /** The model's input gradients and predictions, lent by the training context (e.g. `modelGradientOracle(model)`). */
  readonly oracle?: GradientOracle;
}

interface SpecBase<C> extends Named {
  /** Paper, equation and the official code file its defaults come from. */
  readonly source: string;
  readonly configCodec: t.Type<C, unknown, unknown>;
  readonly defaults: C;
  /** True for operators that give the batch mixed targets (label a, label b, λ); a batch takes at most one of them. */
  readonly mixesTargets?: boolean;
  /**
   * True for operators that query the model through `setup.oracle` (GAE). A run then pulls one batch
   * at a time (prefetch 1), so the operator sees the weights of the step just taken.
   */
  readonly usesModel?: boolean;
}

/** A one-batch operator. */
export interface BatchTransformSpec<C = unknown> extends SpecBase<C> {
  readonly kind: 'batch';
  /** The operator for `config`; `setup` is required by the operators that say so in their summary. */
  create(config: C, setup?: TransformSetup): BatchTransform;
}

/** An operator that combines the main batch with a batch of a second stream. */
export interface PairedTransformSpec<C = unknown> extends SpecBase<C> {
  readonly kind: 'paired';
  /** Where the second batch comes from (e.g. "the minority sampler over the same subset"). */
  readonly second: string;
  create(config: C, setup?: TransformSetup): PairedTransform<HostBatch>;
}

/** An operator that turns a (conventional, re-balancing) pair of batches into the two branches' inputs. */
export interface BilateralTransformSpec<C = unknown> extends SpecBase<C> {
  readonly kind: 'bilateral';
  create(config: C, setup?: TransformSetup): PairedTransform<BilateralBatch>;
}

/** Any registered transform. */
export type TransformSpec<C = unknown> = BatchTransformSpec<C> | PairedTransformSpec<C> | BilateralTransformSpec<C>;

/** Identity helper that keeps a spec's config type inferred. */
export const defineTransform = <S extends TransformSpec<any>>(spec: S): S => spec;

/**
 * The setup an operator needs, or a programmer error naming it.
 * @throws Error when `setup` is undefined
 */
export const requireSetup = (setup: TransformSetup | undefined, fn: string): TransformSetup => {
  if (setup === undefined) throw new Error(`${fn}: needs the class counts and normalisation (setup)`);
  return setup;
};
