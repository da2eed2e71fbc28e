/**
 * Operators that need a second batch: CMO's minority foreground, Open-Sampling's open-set batch,
 * DBN-Mix's re-balancing batch.
 *
 * Intuition: a paired transform is a pure function (first, second, rng, ctx) → result. On a stream,
 * `pairWith` gives each batch of the main stream the next batch of a second *pull* source, asking that
 * source for exactly one batch per main batch, so the second stream is read at the main stream's pace
 * (never ahead of it) and stops when the main stream stops.
 *
 * @example
 * ```ts
 * import { core, streams, transforms } from 'tailstream';
 * // CMO: the ordinary epoch is the background, a minority-sampler epoch of the same subset the foreground.
 * declare const subset: Parameters<typeof streams.epochBatches>[0];
 * declare const normalization: streams.Normalization;
 * const rng = core.createRng(0).derive('epoch', 5);
 * const epoch = { epoch: 5, epochs: 200 };
 * const options = { batchSize: 128, ...epoch, normalization };
 * const background = streams.epochBatches(subset, { ...options, sampler: streams.instanceSampler, rng: rng.derive('batches') });
 * const foreground = streams.epochBatches(subset, { ...options, sampler: streams.minoritySampler(), rng: rng.derive('foreground') });
 * const batches$ = streams.pullThrough(
 *   background,
 *   transforms.cmoWith(transforms.cmoDefaults, foreground, rng.derive('cmo'), 0, epoch),
 *   { prefetch: 2 },
 * );
 * ```
 */
import { Observable, Subject, concatMap, defer, finalize, map, type OperatorFunction, type Subscriber } from 'rxjs';
import type { HostBatch } from '../core/host-batch.js';
import type { Rng } from '../core/rng.js';
import type { PullSource } from '../streams/pull-source.js';
import type { TransformContext } from './batch-transform.js';

/** A pure operator on two batches: never mutates either, takes all randomness from `rng`. */
export type PairedTransform<R = HostBatch> = (first: HostBatch, second: HostBatch, rng: Rng, ctx?: TransformContext) => R;

/**
 * Pairs each item of the main stream with the next item of `second`, requesting one item of `second`
 * (one credit) per main item. Errors when `second` ends while a main item still waits for a partner.
 * Unsubscribing stops both streams.
 */
export const pairWith =
  <A, B>(second: PullSource<B>): OperatorFunction<A, readonly [A, B]> =>
  (source) =>
    defer(() => {
      const credits = new Subject<number>();
      const ready: B[] = [];
      let waiting: Subscriber<B> | undefined;
      let ended: { readonly error: unknown } | undefined;
      const release = (): Subscriber<B> | undefined => {
        const w = waiting;
        waiting = undefined;
        return w;
      };
      const secondSubscription = second(credits).subscribe({
        next: (b) => {
          const w = release();
          if (w === undefined) ready.push(b);
          else {
            w.next(b);
            w.complete();
          }
        },
        error: (error: unknown) => {
          ended = { error };
          release()?.error(error);
        },
        complete: () => {
          ended = { error: new Error('pairWith: the second stream ended before the main stream') };
          release()?.error(ended.error);
        },
      });
      const partner$ = new Observable<B>((w) => {
        if (ready.length > 0) {
          w.next(ready.shift()!);
          w.complete();
          return undefined;
        }
        if (ended !== undefined) {
          w.error(ended.error);
          return undefined;
        }
        waiting = w;
        credits.next(1);
        return () => {
          if (waiting === w) waiting = undefined;
        };
      });
      return source.pipe(
        concatMap((a) => partner$.pipe(map((b) => [a, b] as const))),
        finalize(() => secondSubscription.unsubscribe()),
      );
    });

/**
 * Lifts a paired transform onto a stream of pairs; pair k gets `rng.derive(k)` (k counted from
 * `firstIndex` per subscription, advancing by `stride`) and every pair the same `ctx`.
 */
export const liftPairedTransform =
  <R>(
    transform: PairedTransform<R>,
    rng: Rng,
    firstIndex = 0,
    ctx?: TransformContext,
    stride = 1,
  ): OperatorFunction<readonly [HostBatch, HostBatch], R> =>
  (source) =>
    defer(() => {
      let k = firstIndex;
      return source.pipe(
        map(([first, second]) => {
          const out = transform(first, second, rng.derive(k), ctx);
          k += stride;
          return out;
        }),
      );
    });

/**
 * `pairWith(second)` then `liftPairedTransform(...)`: the main stream's batch k is paired with the
 * k-th batch pulled from `second` and transformed with `rng.derive(firstIndex + k·stride)` (`second`
 * must then yield every `stride`-th batch too).
 */
export const liftPairedTransformWith = <R>(
  transform: PairedTransform<R>,
  second: PullSource<HostBatch>,
  rng: Rng,
  firstIndex = 0,
  ctx?: TransformContext,
  stride = 1,
): OperatorFunction<HostBatch, R> => {
  const pair = pairWith<HostBatch, HostBatch>(second);
  const lifted = liftPairedTransform(transform, rng, firstIndex, ctx, stride);
  return (source) => lifted(pair(source));
};
