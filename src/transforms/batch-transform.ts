/**
 * What a batch operator is, and how one becomes an RxJS operator.
 *
 * Intuition: a transform is a pure function (batch, rng, ctx) → batch. `liftTransform` feeds it the k-th
 * child of a stream's `Rng` for the k-th batch, so the same seed gives the same batches in any run,
 * and a resumed run can rebuild batch k's randomness from (seed, k) alone. `ctx` says where in the
 * run the batch is (the epoch), for operators that are only on during part of it (CMO, pure noise).
 */
import { defer, map, type OperatorFunction } from 'rxjs';
import type { HostBatch } from '../core/host-batch.js';
import type { Rng } from '../core/rng.js';

/** Where in a run a batch is: what epoch-windowed operators (CMO, pure noise) need. */
export interface TransformContext {
  /** 0-based epoch. */
  readonly epoch: number;
  /** Total epochs of the run. */
  readonly epochs: number;
}

/**
 * A pure batch operator: never mutates its input, takes all randomness from `rng`. Operators with an
 * epoch window read `ctx`; the others ignore it.
 */
export type BatchTransform = (batch: HostBatch, rng: Rng, ctx?: TransformContext) => HostBatch;

/**
 * Lifts a transform into an RxJS operator; batch k gets `rng.derive(k)` (k counted per subscription
 * from `firstIndex`, so a stream resumed at batch k draws what an uninterrupted one would), and every
 * batch gets the same `ctx` (lift once per epoch, as `fit` does). On a stream of every `stride`-th
 * batch (one of N pipeline threads), k advances by `stride`.
 */
export const liftTransform =
  (transform: BatchTransform, rng: Rng, firstIndex = 0, ctx?: TransformContext, stride = 1): OperatorFunction<HostBatch, HostBatch> =>
  (source) =>
    defer(() => {
      let k = firstIndex;
      return source.pipe(
        map((batch) => {
          const out = transform(batch, rng.derive(k), ctx);
          k += stride;
          return out;
        }),
      );
    });
