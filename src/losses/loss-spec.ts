/**
 * What a loss is in tailstream: a config codec with cited defaults, a preparation computed once from
 * the class counts, and a per-example function used inside a step's tidy scope. One shared `reduce`
 * (./reduce.ts) turns per-example values into the scalar that is optimised.
 */
import type * as t from 'io-ts';
import type * as tf from '@tensorflow/tfjs-core';
import type { Named } from '../core/registry.js';
import type { ClassCounts } from '../core/class-counts.js';

/** Inputs of a per-example loss besides the prepared constants. */
export interface LossInputs {
  /** [N, C] raw scores. */
  readonly logits: tf.Tensor2D;
  /** [N] int32 class labels. */
  readonly labels: tf.Tensor1D;
  /** [N, D] features, for losses that need them (contrastive, prototype-based). */
  readonly features?: tf.Tensor2D;
  /**
   * [D, C] classifier kernel whose column j is class j's prototype (the models' `fc/kernel` layout),
   * for regularisers on the prototypes themselves (`zeroCentroidPenalty`). Optional: losses that need
   * it fall back to what the logits show when it is absent (each documents how).
   */
  readonly classifierKernel?: tf.Tensor2D;
  /**
   * [N, C] float multi-hot targets (1 where class j is a positive label of example i, else 0), for
   * multi-label losses. When absent, such a loss uses the one-hot of `labels`; single-label losses
   * ignore it. With multi-label data the class counts a loss is prepared from are the per-class
   * positive counts.
   */
  readonly targets?: tf.Tensor2D;
}

/** An optional input of `LossInputs` a loss cannot run without. */
export type LossNeed = 'features' | 'targets';

/** A registered loss. `C` is its config, `P` what `prepare` computes. */
export interface LossSpec<C = unknown, P = unknown> extends Named {
  /** Paper, equation and the official code file its defaults come from. */
  readonly source: string;
  readonly configCodec: t.Type<C, unknown, unknown>;
  readonly defaults: C;
  /**
   * Optional inputs this loss requires besides logits and labels (e.g. `['features']` for a
   * contrastive loss); absent or empty for losses that read only logits and labels. A loss whose
   * need is missing throws a `UserError` ('bad-config') naming it.
   */
  readonly needs?: readonly LossNeed[];
  /** Class-dependent constants, computed once per run (or per epoch for scheduled losses). */
  prepare(config: C, counts: ClassCounts): P;
  /** [N] loss per example. Must be called inside a tidy scope; creates no variables. */
  perExample(inputs: LossInputs, prepared: P): tf.Tensor1D;
}

/** Identity helper that keeps a spec's `C` and `P` inferred while typing it as a `LossSpec`. */
export const defineLoss = <C, P>(spec: LossSpec<C, P>): LossSpec<C, P> => spec;
