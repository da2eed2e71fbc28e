/**
 * The pull machinery: bounded look-ahead against a slow consumer, cancellation reaching the iterator,
 * and credits granted while an item is emitted being queued rather than recursed into.
 */
import { describe, expect, it } from 'vitest';
import { concatMap, from, lastValueFrom, map, Subject, take, toArray, type Observable } from 'rxjs';
import { fromAsyncIterator, fromIterator, pullThrough } from '../../src/streams/pull-source.js';

/** An iterator over 0, 1, 2, … that counts its calls and refuses to run past `limit` (a hang guard). */
const countingIterator = (length = Infinity, limit = 1_000_000) => {
  const calls = { next: 0, return: 0, nextAfterReturn: 0 };
  let returned = false;
  const make = (): Iterator<number> => ({
    next: () => {
      calls.next++;
      if (returned) calls.nextAfterReturn++;
      if (calls.next > limit) throw new Error(`countingIterator: next() called more than ${limit} times`);
      const i = calls.next - 1;
      return i < length ? { done: false, value: i } : { done: true, value: undefined };
    },
    return: () => {
      calls.return++;
      returned = true;
      return { done: true, value: undefined };
    },
  });
  return { calls, make };
};

/** Resolves after the event loop has turned once (a consumer that yields between items). */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('fromIterator', () => {
  it('makes exactly one item per credit', () => {
    const { calls, make } = countingIterator();
    const credits = new Subject<number>();
    const seen: number[] = [];
    const sub = fromIterator(make)(credits).subscribe((x) => seen.push(x));
    expect(calls.next).toBe(0);
    credits.next(2);
    expect(seen).toEqual([0, 1]);
    credits.next(1);
    expect(seen).toEqual([0, 1, 2]);
    expect(calls.next).toBe(3);
    sub.unsubscribe();
  });

  it('completes when the iterator is done and passes its errors on', async () => {
    const { make } = countingIterator(4);
    await expect(lastValueFrom(pullThrough(fromIterator(make), map((x) => x * 10)).pipe(toArray()))).resolves.toEqual([0, 10, 20, 30]);
    const failing = fromIterator<number>(() => ({
      next: () => {
        throw new Error('boom');
      },
    }));
    await expect(lastValueFrom(pullThrough(failing, map((x) => x)))).rejects.toThrow('boom');
  });
});

describe('pullThrough', () => {
  it.each([1, 2, 5])('never makes more than prefetch = %i items ahead of a slow consumer', async (prefetch) => {
    let consumed = 0;
    let worstAhead = 0;
    const { calls, make } = countingIterator(40);
    const counted = (): Iterator<number> => {
      const it = make();
      return {
        next: () => {
          const r = it.next();
          if (r.done !== true) worstAhead = Math.max(worstAhead, calls.next - consumed);
          return r;
        },
      };
    };
    const slowStep = concatMap((x: number) => from(tick().then(() => x)));
    const out = await lastValueFrom(
      pullThrough(fromIterator(counted), slowStep, { prefetch }).pipe(
        map((x) => {
          consumed++;
          return x;
        }),
        toArray(),
      ),
    );
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(worstAhead).toBe(prefetch);
  });

  it('stops the iterator on unsubscribe: return() runs once, next() is never called again', async () => {
    const { calls, make } = countingIterator();
    const seen: number[] = [];
    const sub = pullThrough(fromIterator(make), concatMap((x: number) => from(tick().then(() => x))), { prefetch: 2 }).subscribe((x) =>
      seen.push(x),
    );
    while (seen.length < 5) await tick();
    sub.unsubscribe();
    const nextCalls = calls.next;
    expect(calls.return).toBe(1);
    for (let i = 0; i < 10; i++) await tick();
    expect(calls.next).toBe(nextCalls);
    expect(calls.nextAfterReturn).toBe(0);
    expect(nextCalls).toBeLessThanOrEqual(5 + 2);
  });

  it('take(3) downstream stops reading upstream (synchronous step)', async () => {
    const { calls, make } = countingIterator(Infinity, 1000);
    const out = await lastValueFrom(pullThrough(fromIterator(make), map((x: number) => x), { prefetch: 2 }).pipe(take(3), toArray()));
    expect(out).toEqual([0, 1, 2]);
    expect(calls.next).toBeLessThanOrEqual(3 + 2);
    expect(calls.return).toBe(1);
    expect(calls.nextAfterReturn).toBe(0);
  });

  it('take(3) downstream stops reading upstream (asynchronous step)', async () => {
    const { calls, make } = countingIterator(Infinity, 1000);
    const step = concatMap((x: number) => from(tick().then(() => x)));
    const out = await lastValueFrom(pullThrough(fromIterator(make), step, { prefetch: 2 }).pipe(take(3), toArray()));
    expect(out).toEqual([0, 1, 2]);
    for (let i = 0; i < 5; i++) await tick();
    expect(calls.next).toBeLessThanOrEqual(3 + 2);
    expect(calls.return).toBe(1);
    expect(calls.nextAfterReturn).toBe(0);
  });

  it('runs 100k items synchronously without growing the stack (credits are queued, not recursed)', async () => {
    const { calls, make } = countingIterator(100_000, 200_000);
    let maxDepth = 0;
    const depth = (): number => (new Error().stack ?? '').split('\n').length;
    const source$: Observable<number> = pullThrough(
      fromIterator(make),
      map((x: number) => {
        if (x % 997 === 0) maxDepth = Math.max(maxDepth, depth());
        return x;
      }),
      { prefetch: 3 },
    );
    let count = 0;
    let last = -1;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = Infinity; // V8 keeps 10 frames by default: count them all
    try {
      await new Promise<void>((resolve, reject) =>
        source$.subscribe({
          next: (x) => {
            count++;
            last = x;
          },
          error: reject,
          complete: resolve,
        }),
      );
    } finally {
      Error.stackTraceLimit = limit;
    }
    expect(count).toBe(100_000);
    expect(last).toBe(99_999);
    expect(calls.next).toBe(100_001);
    // A recursing credit loop would be ~100k frames deep (and overflow); the queued one stays shallow.
    expect(maxDepth).toBeGreaterThan(10);
    expect(maxDepth).toBeLessThan(200);
  });
});

describe('fromAsyncIterator', () => {
  /** An async iterator over 0, 1, 2, … whose next() resolves after a timer, counting calls and overlaps. */
  const slowIterator = (length = Infinity) => {
    const calls = { next: 0, inFlight: 0, maxInFlight: 0, aborted: false, returned: 0 };
    const make = (signal: AbortSignal): AsyncIterator<number> => {
      signal.addEventListener('abort', () => (calls.aborted = true));
      return {
        next: async () => {
          const i = calls.next++;
          calls.inFlight++;
          calls.maxInFlight = Math.max(calls.maxInFlight, calls.inFlight);
          await new Promise((r) => setTimeout(r, 1));
          calls.inFlight--;
          return i < length ? { done: false, value: i } : { done: true, value: undefined };
        },
        return: async () => {
          calls.returned++;
          return { done: true, value: undefined };
        },
      };
    };
    return { calls, make };
  };

  it('asks for one item per credit, never two at once, and completes', async () => {
    const { calls, make } = slowIterator(5);
    const out = await lastValueFrom(pullThrough(fromAsyncIterator(make), map((x: number) => x), { prefetch: 4 }).pipe(toArray()));
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(calls.next).toBe(6);
    expect(calls.maxInFlight).toBe(1);
  });

  it('a slow consumer bounds the look-ahead to the prefetch', async () => {
    const { calls, make } = slowIterator(40);
    let consumed = 0;
    let maxAhead = 0;
    await lastValueFrom(
      pullThrough(
        fromAsyncIterator(make),
        concatMap(async (x: number) => {
          await new Promise((r) => setTimeout(r, 3));
          consumed++;
          maxAhead = Math.max(maxAhead, calls.next - consumed);
          return x;
        }),
        { prefetch: 2 },
      ).pipe(toArray()),
    );
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  it('unsubscribing aborts the signal, ends the iterator and asks for nothing more', async () => {
    const { calls, make } = slowIterator();
    const out = await lastValueFrom(pullThrough(fromAsyncIterator(make), map((x: number) => x), { prefetch: 3 }).pipe(take(4), toArray()));
    expect(out).toEqual([0, 1, 2, 3]);
    const asked = calls.next;
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.next).toBe(asked);
    expect(calls.aborted).toBe(true);
    expect(calls.returned).toBe(1);
  });

  it('passes the iterator errors on', async () => {
    const source = fromAsyncIterator<number>(() => ({ next: () => Promise.reject(new Error('boom')) }));
    await expect(lastValueFrom(pullThrough(source, map((x: number) => x)))).rejects.toThrow('boom');
  });
});
