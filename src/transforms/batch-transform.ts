/**
 * What a batch operator is, and how one becomes an RxJS operator.
 *
 * Intuition: a transform is a pure function (batch, rng) → batch. `liftTransform` feeds it the k-th
 * child of a stream's `Rng` for the k-th batch, so the same seed gives the same batches in any run,
 * and a resumed run can rebuild batch k's randomness from (seed, k) alone.
 */
import { defer, map, type OperatorFunction } from 'rxjs';
import type { HostBatch } from '../core/host-batch.js';
import type { Rng } from '../core/rng.js';

/** A pure batch operator: never mutates its input, takes all randomness from `rng`. */
export type BatchTransform = (batch: HostBatch, rng: Rng) => HostBatch;

/**
 * Lifts a transform into an RxJS operator; batch k gets `rng.derive(k)` (k counted per subscription
 * from `firstIndex`, so a stream resumed at batch k draws what an uninterrupted one would).
 */
export const liftTransform =
  (transform: BatchTransform, rng: Rng, firstIndex = 0): OperatorFunction<HostBatch, HostBatch> =>
  (source) =>
    defer(() => {
      let k = firstIndex;
      return source.pipe(map((batch) => transform(batch, rng.derive(k++))));
    });
