import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { UserError } from '../../src/core/errors.js';
import { fromIterator, pullThrough } from '../../src/streams/pull-source.js';
import { serveSources, transferablesOf, workerSource } from '../../src/streams/worker-source.js';

/** Lets queued port messages be delivered (each hop is a macrotask). */
const settle = async (rounds = 10) => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 2));
};

/** A served counter source over a MessageChannel: `made` counts the items made on the serving side. */
const servedCounter = (limit = 100) => {
  const { port1, port2 } = new MessageChannel();
  const made: number[] = [];
  const requests: unknown[] = [];
  serveSources(port2, (request) => {
    requests.push(request);
    const { from } = request as { from: number };
    return fromIterator(function* () {
      for (let i = from; i < limit; i++) {
        made.push(i);
        yield { i, x: Float32Array.from([i, i + 0.5]) };
      }
    });
  });
  const close = () => {
    port1.close();
    port2.close();
  };
  return { port: port1, made, requests, close };
};

describe('workerSource / serveSources', () => {
  it('delivers the served items in order, with their typed arrays intact, and completes', async () => {
    const s = servedCounter(5);
    const items = await lastValueFrom(pullThrough(workerSource<{ i: number; x: Float32Array }>(s.port, { from: 2 }), (x) => x, { prefetch: 2 }).pipe(toArray()));
    expect(items.map((v) => v.i)).toEqual([2, 3, 4]);
    expect(Array.from(items[1]!.x)).toEqual([3, 3.5]);
    expect(s.requests).toEqual([{ from: 2 }]);
    s.close();
  });

  it('makes no more items than the credits granted (look-ahead stays bounded across the thread boundary)', async () => {
    const s = servedCounter();
    const source = workerSource<{ i: number }>(s.port, { from: 0 });
    const { Subject } = await import('rxjs');
    const credits = new Subject<number>();
    const got: number[] = [];
    const sub = source(credits).subscribe((v) => got.push(v.i));
    credits.next(3);
    await settle();
    expect(s.made).toEqual([0, 1, 2]);
    expect(got).toEqual([0, 1, 2]);
    credits.next(1);
    await settle();
    expect(s.made).toEqual([0, 1, 2, 3]);
    sub.unsubscribe();
    credits.next(5);
    await settle();
    // After unsubscribing, the serving side stopped: no credit reaches it any more.
    expect(s.made).toEqual([0, 1, 2, 3]);
    s.close();
  });

  it('serves a new session after an earlier one was left mid-way', async () => {
    const s = servedCounter();
    const first = await lastValueFrom(pullThrough(workerSource<{ i: number }>(s.port, { from: 0 }), (x) => x).pipe(take(2), toArray()));
    const second = await firstValueFrom(pullThrough(workerSource<{ i: number }>(s.port, { from: 50 }), (x) => x));
    expect(first.map((v) => v.i)).toEqual([0, 1]);
    expect(second.i).toBe(50);
    s.close();
  });

  it('carries a UserError made on the serving side across as a UserError with its kind, and other errors with their message', async () => {
    const { port1, port2 } = new MessageChannel();
    serveSources(port2, (request) =>
      fromIterator(function* () {
        yield 1;
        if (request === 'user') throw new UserError('bad-file', 'shard 3 is truncated.');
        throw new Error('boom');
      }),
    );
    const run = (request: string) => lastValueFrom(pullThrough(workerSource<number>(port1, request), (x) => x, { prefetch: 2 }));
    const user = await run('user').catch((e: unknown) => e);
    expect(user).toBeInstanceOf(UserError);
    expect((user as UserError).kind).toBe('bad-file');
    expect((user as UserError).message).toBe('shard 3 is truncated.');
    await expect(run('other')).rejects.toThrow(/^pipeline thread: boom$/);
    port1.close();
  });

  it('reports a source that cannot be opened as an error of that session', async () => {
    const { port1, port2 } = new MessageChannel();
    serveSources(port2, () => {
      throw new Error('no such epoch');
    });
    await expect(lastValueFrom(pullThrough(workerSource<number>(port1, null), (x) => x))).rejects.toThrow('pipeline thread: no such epoch');
    port1.close();
  });
});

describe('transferablesOf', () => {
  it('lists each whole buffer once and leaves out views into part of a buffer and shared memory', () => {
    const whole = new Float32Array(4);
    const big = new Uint8Array(16);
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const batch = { x: whole, y: new Int32Array(2), again: whole, part: big.subarray(4, 8), shared, nested: { w: new Uint8Array(3) }, n: 3, s: 'a' };
    const list = transferablesOf(batch);
    expect(list).toHaveLength(3);
    expect(list).toContain(whole.buffer);
    expect(list).toContain(batch.y.buffer);
    expect(list).toContain(batch.nested.w.buffer);
  });
});
