import { describe, expect, it } from 'vitest';
import { concatMap, from, lastValueFrom, map, take, throwError, toArray } from 'rxjs';
import { liftPairedTransform, liftPairedTransformWith, pairWith } from '../../src/transforms/paired-transform.js';
import { fromIterator, pullThrough, type PullSource } from '../../src/streams/pull-source.js';
import type { Rng } from '../../src/core/rng.js';
import type { TransformContext } from '../../src/transforms/batch-transform.js';
import { countingPullSource, recordingSource, seeded, tagged } from './fixtures.js';

describe('pairWith', () => {
  it('pairs item k of the main stream with item k of the second, asking the second for one item per main item', async () => {
    const second = countingPullSource((k) => `s${k}`);
    const out = await lastValueFrom(from([0, 1, 2, 3]).pipe(pairWith(second.source), toArray()));
    expect(out).toEqual([
      [0, 's0'],
      [1, 's1'],
      [2, 's2'],
      [3, 's3'],
    ]);
    expect(second.calls.next).toBe(4);
    expect(second.calls.return).toBe(1);
  });

  it('waits for an asynchronous second source', async () => {
    let k = 0;
    const second: PullSource<number> = (credits$) => credits$.pipe(concatMap(() => from(Promise.resolve(10 + k++))));
    const out = await lastValueFrom(from(['a', 'b', 'c']).pipe(pairWith(second), toArray()));
    expect(out).toEqual([
      ['a', 10],
      ['b', 11],
      ['c', 12],
    ]);
  });

  it('fails when the second stream ends first, and passes on its errors', async () => {
    const short = countingPullSource((k) => k, 2).source;
    await expect(lastValueFrom(from([0, 1, 2]).pipe(pairWith(short), toArray()))).rejects.toThrow(
      'pairWith: the second stream ended before the main stream',
    );
    const failing: PullSource<number> = () => throwError(() => new Error('bad shard'));
    await expect(lastValueFrom(from([0]).pipe(pairWith(failing)))).rejects.toThrow('bad shard');
    // A second stream that ends together with the main one is fine.
    expect(await lastValueFrom(from([0, 1]).pipe(pairWith(countingPullSource((k) => k, 2).source), toArray()))).toHaveLength(2);
  });

  it('stops reading both streams when unsubscribed (synchronous source, then take(3))', async () => {
    const second = countingPullSource((k) => k);
    const main = recordingSource((k) => k);
    const out = await lastValueFrom(main.source$.pipe(pairWith(second.source), take(3), toArray()));
    expect(out).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(main.emitted).toEqual([0, 1, 2]);
    expect(second.calls.next).toBe(3);
    expect(second.calls.return).toBe(1);
  });

  it('keeps the second stream at the pace of the main one inside pullThrough', async () => {
    const main = countingPullSource((k) => k);
    const second = countingPullSource((k) => k);
    const out = await lastValueFrom(pullThrough(main.source, pairWith(second.source), { prefetch: 2 }).pipe(take(5), toArray()));
    expect(out).toHaveLength(5);
    expect(main.calls.next).toBeLessThanOrEqual(5 + 2);
    expect(second.calls.next).toBeLessThanOrEqual(main.calls.next);
    expect(main.calls.return).toBe(1);
    expect(second.calls.return).toBe(1);
  });

  it('starts afresh for each subscription', async () => {
    const second = fromIterator(function* () {
      for (let k = 0; ; k++) yield k;
    });
    const paired$ = from(['a', 'b']).pipe(pairWith(second));
    expect(await lastValueFrom(paired$.pipe(toArray()))).toEqual(await lastValueFrom(paired$.pipe(toArray())));
  });
});

describe('liftPairedTransform', () => {
  it('gives pair k the child rng.derive(firstIndex + k) and the context', async () => {
    const seen: Array<{ state: readonly number[]; ctx: TransformContext | undefined }> = [];
    const record = (a: ReturnType<typeof tagged>, _b: ReturnType<typeof tagged>, rng: Rng, ctx?: TransformContext) => {
      seen.push({ state: rng.state, ctx });
      return a;
    };
    const pairs = [0, 1, 2].map(() => [tagged(1, 1, 1), tagged(1, 1, 1)] as const);
    const ctx = { epoch: 2, epochs: 9 };
    await lastValueFrom(from(pairs).pipe(liftPairedTransform(record, seeded(0), 4, ctx), toArray()));
    expect(seen.map((s) => s.state)).toEqual([4, 5, 6].map((k) => seeded(0).derive(k).state));
    expect(seen.every((s) => s.ctx === ctx)).toBe(true);
  });

  it('composes with pairWith as liftPairedTransformWith, and stops upstream after take(3)', async () => {
    const second = countingPullSource((k) => tagged(1, 1, 1, 1, [k]));
    const main = recordingSource(() => tagged(1, 1, 1, 1, [0]));
    const sumLabels = (a: ReturnType<typeof tagged>, b: ReturnType<typeof tagged>) => a.y[0]! + b.y[0]!;
    const out = await lastValueFrom(main.source$.pipe(liftPairedTransformWith(sumLabels, second.source, seeded(0)), map((s) => s * 10), take(3), toArray()));
    expect(out).toEqual([0, 10, 20]);
    expect(main.emitted).toEqual([0, 1, 2]);
    expect(second.calls.return).toBe(1);
  });
});
