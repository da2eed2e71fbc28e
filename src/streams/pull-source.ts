/**
 * Pull-driven streams: the consumer's demand, not the producer's speed, decides when an item is made.
 *
 * Intuition: a `PullSource` is an Observable factory that takes a stream of credits; each credit lets
 * the source make and emit exactly one more item. `pullThrough` closes the loop: it grants `prefetch`
 * credits up front and one more each time the processing pipeline finishes an item, so at most
 * `prefetch` items wait ahead of the consumer whatever the dataset size. Unsubscribing ends the
 * iteration (the iterator's `return` runs), so nothing more is read.
 */
import { setMaxListeners } from 'node:events';
import { Observable, Subject, type OperatorFunction, type Subscriber } from 'rxjs';

/** A source that emits one item per credit received on `credits$`. */
export type PullSource<T> = (credits$: Observable<number>) => Observable<T>;

/**
 * A pull source over a lazily created iterator: items are produced only against credits.
 * Re-entrant credits (granted while an item is being emitted) are queued, never recursed into.
 */
export const fromIterator =
  <T>(makeIterator: () => Iterator<T>): PullSource<T> =>
  (credits$) =>
    new Observable<T>((subscriber) => {
      const it = makeIterator();
      let owed = 0;
      let draining = false;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        it.return?.();
      };
      const creditSub = credits$.subscribe({
        next: (n) => {
          owed += n;
          if (draining) return;
          draining = true;
          try {
            while (owed > 0 && !finished && !subscriber.closed) {
              owed--;
              const r = it.next();
              if (r.done === true) {
                finished = true;
                subscriber.complete();
                break;
              }
              subscriber.next(r.value);
            }
          } catch (e) {
            finish();
            subscriber.error(e);
          } finally {
            draining = false;
          }
        },
        error: (e) => subscriber.error(e),
      });
      return () => {
        creditSub.unsubscribe();
        finish();
      };
    });

/**
 * A pull source over a lazily created async iterator (a shard read over HTTP): one `next()` per
 * credit, never two at once, so at most as many items are read ahead as credits were granted.
 * Unsubscribing aborts `signal` (an HTTP read in flight is cancelled) and ends the iterator; a value
 * or error that arrives after that is dropped.
 */
export const fromAsyncIterator =
  <T>(makeIterator: (signal: AbortSignal) => AsyncIterator<T>): PullSource<T> =>
  (credits$) =>
    new Observable<T>((subscriber) => {
      const controller = new AbortController();
      // Every open shard and backoff timer listens on this one signal.
      setMaxListeners(0, controller.signal);
      const it = makeIterator(controller.signal);
      let owed = 0;
      let pending = false;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        controller.abort();
        try {
          Promise.resolve(it.return?.()).catch(() => undefined);
        } catch {
          // An iterator whose return() throws has nothing left to release.
        }
      };
      const pump = () => {
        if (pending || finished || owed === 0 || subscriber.closed) return;
        owed--;
        pending = true;
        it.next().then(
          (r) => {
            pending = false;
            if (finished) return;
            if (r.done === true) {
              finished = true;
              subscriber.complete();
              return;
            }
            subscriber.next(r.value);
            pump();
          },
          (e: unknown) => {
            pending = false;
            if (finished) return;
            finish();
            subscriber.error(e);
          },
        );
      };
      const creditSub = credits$.subscribe({
        next: (n) => {
          owed += n;
          pump();
        },
        error: (e) => subscriber.error(e),
      });
      return () => {
        creditSub.unsubscribe();
        finish();
      };
    });

/**
 * A pull source whose items go through `op` (map-like: exactly one output per input); credits pass
 * straight through, so look-ahead stays what the consumer granted.
 */
export const mapPullSource =
  <A, B>(source: PullSource<A>, op: (items$: Observable<A>) => Observable<B>): PullSource<B> =>
  (credits$) =>
    op(source(credits$));

/**
 * One stream from N sources that each make every N-th item (N pipeline threads): item j comes from
 * `sources[j mod N]`, and the items are emitted in order j = 0, 1, 2, … whatever order they arrive
 * in. Each credit goes to the source whose turn it is, so the N together make at most as many items
 * ahead as were granted. The stream ends when the source whose turn it is ends.
 */
export const interleavePullSources =
  <T>(sources: ReadonlyArray<PullSource<T>>): PullSource<T> =>
  (credits$) =>
    new Observable<T>((subscriber) => {
      const n = sources.length;
      if (n === 0) {
        subscriber.error(new Error('interleavePullSources: no sources'));
        return undefined;
      }
      const credits = sources.map(() => new Subject<number>());
      const arrived: T[][] = sources.map(() => []);
      const ended: boolean[] = sources.map(() => false);
      let granted = 0;
      let next = 0;
      const flush = () => {
        while (!subscriber.closed) {
          const turn = next % n;
          const queue = arrived[turn]!;
          if (queue.length > 0) {
            next++;
            subscriber.next(queue.shift()!);
          } else {
            if (ended[turn]) subscriber.complete();
            return;
          }
        }
      };
      sources.forEach((source, i) =>
        subscriber.add(
          source(credits[i]!).subscribe({
            next: (item) => {
              arrived[i]!.push(item);
              flush();
            },
            error: (e) => subscriber.error(e),
            complete: () => {
              ended[i] = true;
              flush();
            },
          }),
        ),
      );
      subscriber.add(
        credits$.subscribe({
          next: (k) => {
            for (let c = 0; c < k; c++) credits[granted++ % n]!.next(1);
          },
          error: (e) => subscriber.error(e),
        }),
      );
      subscriber.add(() => credits.forEach((c) => c.complete()));
      return undefined;
    });

/** A pull source that started making items before anyone asked (see `pullAhead`). */
export interface AheadSource<T> {
  /** The source: its first subscriber gets the items made ahead first, then the rest on its credits. */
  readonly source: PullSource<T>;
  /** Stops making items (when nobody will ask for them after all). */
  cancel(): void;
}

/**
 * Starts `source` now with `count` credits, so its first items are ready when a consumer arrives
 * (the next epoch's first batches, made while the current epoch's last steps run). The consumer's
 * first `count` credits are matched with those; look-ahead stays bounded by `count` plus the
 * consumer's credits. Only one subscription is served.
 */
export const pullAhead = <T>(source: PullSource<T>, count: number): AheadSource<T> => {
  const credits = new Subject<number>();
  const made: T[] = [];
  let ended: { readonly error?: unknown } | undefined;
  let consumer: Subscriber<T> | undefined;
  let owed = 0;
  let pregranted = Math.max(0, Math.floor(count));
  const deliver = () => {
    if (consumer === undefined) return;
    while (owed > 0 && made.length > 0 && !consumer.closed) {
      owed--;
      consumer.next(made.shift()!);
    }
    if (ended !== undefined && made.length === 0 && !consumer.closed) {
      if ('error' in ended) consumer.error(ended.error);
      else consumer.complete();
    }
  };
  const subscription = source(credits).subscribe({
    next: (item) => {
      made.push(item);
      deliver();
    },
    error: (error: unknown) => {
      ended = { error };
      deliver();
    },
    complete: () => {
      ended = {};
      deliver();
    },
  });
  credits.next(pregranted);
  return {
    source: (credits$) =>
      new Observable<T>((subscriber) => {
        if (consumer !== undefined) {
          subscriber.error(new Error('pullAhead: the source made ahead serves one subscription'));
          return undefined;
        }
        consumer = subscriber;
        const creditSub = credits$.subscribe({
          next: (n) => {
            owed += n;
            const matched = Math.min(n, pregranted);
            pregranted -= matched;
            if (n > matched) credits.next(n - matched);
            deliver();
          },
          error: (e) => subscriber.error(e),
        });
        deliver();
        return () => {
          creditSub.unsubscribe();
          subscription.unsubscribe();
        };
      }),
    cancel: () => subscription.unsubscribe(),
  };
};

/** Options of `pullThrough`. */
export interface PullOptions {
  /** How many items may be made ahead of the one being processed (≥ 1). */
  readonly prefetch?: number;
}

/**
 * Runs `process` over a pull source, granting one credit per output; `process` must emit exactly one
 * output per input (map-like operators and steps), which is what keeps look-ahead bounded.
 *
 * The teardown is registered before the first credit is granted, so a consumer that unsubscribes
 * synchronously while the first items flow (`take(3)` after a synchronous step) stops the source at
 * once; no credit is granted once the consumer has gone.
 */
export const pullThrough = <T, R>(source: PullSource<T>, process: OperatorFunction<T, R>, options: PullOptions = {}): Observable<R> =>
  new Observable<R>((subscriber) => {
    const prefetch = Math.max(1, Math.floor(options.prefetch ?? 1));
    const credits = new Subject<number>();
    subscriber.add(() => credits.complete());
    subscriber.add(
      source(credits)
        .pipe(process)
        .subscribe({
          next: (r) => {
            subscriber.next(r);
            if (!subscriber.closed) credits.next(1);
          },
          error: (e) => subscriber.error(e),
          complete: () => subscriber.complete(),
        }),
    );
    credits.next(prefetch);
  });
