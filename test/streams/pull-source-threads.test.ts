import { describe, expect, it } from 'vitest';
import { Observable, Subject, lastValueFrom, take, toArray } from 'rxjs';
import { fromIterator, interleavePullSources, pullAhead, pullThrough, type PullSource } from '../../src/streams/pull-source.js';

/** Source i of n over items 0..total−1: items i, i + n, …; `made` records what it made. */
const share = (i: number, n: number, total: number, made: number[]): PullSource<number> =>
  fromIterator(function* () {
    for (let j = i; j < total; j += n) {
      made.push(j);
      yield j;
    }
  });

/** Like `share`, but each item arrives after `delay(j)` ms (a thread that is sometimes slow). */
const slowShare =
  (i: number, n: number, total: number, delay: (j: number) => number): PullSource<number> =>
  (credits$) =>
    new Observable<number>((subscriber) => {
      let j = i;
      let chain = Promise.resolve();
      const sub = credits$.subscribe((k) => {
        for (let c = 0; c < k; c++) {
          const item = j;
          j += n;
          chain = chain.then(
            () =>
              new Promise<void>((resolve) =>
                setTimeout(() => {
                  if (item < total) subscriber.next(item);
                  else subscriber.complete();
                  resolve();
                }, delay(item)),
              ),
          );
        }
      });
      return () => sub.unsubscribe();
    });

describe('interleavePullSources', () => {
  it.each([1, 2, 3, 5])('puts the shares of %i sources back in order, ending with the epoch', async (n) => {
    const made: number[] = [];
    const sources = Array.from({ length: n }, (_, i) => share(i, n, 11, made));
    const items = await lastValueFrom(pullThrough(interleavePullSources(sources), (s) => s, { prefetch: 3 }).pipe(toArray()));
    expect(items).toEqual(Array.from({ length: 11 }, (_, j) => j));
  });

  it('keeps order when the shares arrive out of order', async () => {
    // Source 0 is slow on item 0, so items 1 and 2 arrive first.
    const sources = [0, 1, 2].map((i) => slowShare(i, 3, 9, (j) => (j === 0 ? 30 : 1)));
    const items = await lastValueFrom(pullThrough(interleavePullSources(sources), (s) => s, { prefetch: 4 }).pipe(toArray()));
    expect(items).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('gives each credit to the source whose turn it is, so no more items are made than granted', () => {
    const made: number[] = [];
    const sources = [0, 1, 2].map((i) => share(i, 3, 100, made));
    const credits = new Subject<number>();
    const got: number[] = [];
    const sub = interleavePullSources(sources)(credits).subscribe((v) => got.push(v));
    credits.next(4);
    expect([...made].sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    expect(got).toEqual([0, 1, 2, 3]);
    credits.next(2);
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    expect(made).toHaveLength(6);
    sub.unsubscribe();
  });

  it('stops every source when the consumer leaves early', async () => {
    const made: number[] = [];
    const sources = [0, 1].map((i) => share(i, 2, 1000, made));
    const first = await lastValueFrom(pullThrough(interleavePullSources(sources), (s) => s, { prefetch: 2 }).pipe(take(5), toArray()));
    expect(first).toEqual([0, 1, 2, 3, 4]);
    expect(made.length).toBeLessThanOrEqual(7);
  });

  it('fails with the first source error', async () => {
    const failing: PullSource<number> = fromIterator(function* () {
      yield 1;
      throw new Error('thread 1 failed');
    });
    const made: number[] = [];
    await expect(lastValueFrom(pullThrough(interleavePullSources([share(0, 2, 10, made), failing]), (s) => s))).rejects.toThrow('thread 1 failed');
    await expect(lastValueFrom(pullThrough(interleavePullSources<number>([]), (s) => s))).rejects.toThrow('interleavePullSources: no sources');
  });
});

describe('pullAhead', () => {
  it('makes `count` items before anyone asks, then serves them first and the rest on credits', () => {
    const made: number[] = [];
    const ahead = pullAhead(share(0, 1, 6, made), 2);
    expect(made).toEqual([0, 1]);
    const credits = new Subject<number>();
    const got: number[] = [];
    let done = false;
    ahead.source(credits).subscribe({ next: (v) => got.push(v), complete: () => (done = true) });
    credits.next(1);
    expect(got).toEqual([0]);
    expect(made).toEqual([0, 1]); // the first credit is matched with an item made ahead
    credits.next(2);
    expect(got).toEqual([0, 1, 2]);
    expect(made).toEqual([0, 1, 2]);
    credits.next(10);
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    expect(done).toBe(true);
  });

  it('ends a short source properly and serves one subscription only', async () => {
    const made: number[] = [];
    const ahead = pullAhead(share(0, 1, 1, made), 3);
    expect(await lastValueFrom(pullThrough(ahead.source, (s) => s).pipe(toArray()))).toEqual([0]);
    await expect(lastValueFrom(pullThrough(ahead.source, (s) => s))).rejects.toThrow('pullAhead: the source made ahead serves one subscription');
  });

  it('stops making items when cancelled', () => {
    let nexts = 0;
    const counting: PullSource<number> = fromIterator(function* () {
      for (let i = 0; ; i++) {
        nexts++;
        yield i;
      }
    });
    const ahead = pullAhead(counting, 2);
    expect(nexts).toBe(2);
    ahead.cancel();
    const credits = new Subject<number>();
    ahead.source(credits).subscribe();
    credits.next(5);
    expect(nexts).toBe(2);
  });
});
