/** Small hand-made batches and copies for the transform tests. */
import { expect } from 'vitest';
import { Observable } from 'rxjs';
import { fromIterator, type PullSource } from '../../src/streams/pull-source.js';
import { createRng, type Rng } from '../../src/core/rng.js';
import type { HostBatch } from '../../src/core/host-batch.js';

/**
 * A batch of `n` samples h×w×c whose value at (sample s, float p) is `offset + 1000·s + p`, so every
 * float says where it came from; labels `labels` (default: the row index), indices 100 + s.
 */
export const tagged = (n: number, h: number, w: number, c = 1, labels?: readonly number[], offset = 0): HostBatch => {
  const per = h * w * c;
  return {
    x: Float32Array.from({ length: n * per }, (_, i) => offset + 1000 * Math.floor(i / per) + (i % per)),
    y: Int32Array.from(labels ?? Array.from({ length: n }, (_, i) => i)),
    index: Int32Array.from({ length: n }, (_, i) => 100 + i),
    shape: { height: h, width: w, channels: c },
  };
};

/** A deep, plain copy of a batch (arrays as number arrays) for equality and mutation checks. */
export const plain = (b: HostBatch): Record<string, unknown> => ({
  x: [...b.x],
  y: [...b.y],
  index: [...b.index],
  shape: { ...b.shape },
  ...(b.weight !== undefined ? { weight: [...b.weight] } : {}),
  ...(b.mix !== undefined ? { mix: { y: [...b.mix.y], lambda: [...b.mix.lambda] } } : {}),
  ...(b.noise !== undefined ? { noise: [...b.noise] } : {}),
});

/** Runs `f` and checks that it left `batches` exactly as they were. */
export const expectUntouched = <T>(batches: readonly HostBatch[], f: () => T): T => {
  const before = batches.map(plain);
  const out = f();
  expect(batches.map(plain)).toEqual(before);
  return out;
};

/** A synchronous Observable of `count` items that records which ones it emitted (RxJS's cancellation test). */
export const recordingSource = <T>(make: (k: number) => T, count = 1000): { emitted: number[]; source$: Observable<T> } => {
  const emitted: number[] = [];
  const source$ = new Observable<T>((subscriber) => {
    for (let k = 0; k < count && !subscriber.closed; k++) {
      emitted.push(k);
      subscriber.next(make(k));
    }
    subscriber.complete();
  });
  return { emitted, source$ };
};

/** A pull source of `count` items (k-th = `make(k)`) that counts how often it was read and closed. */
export const countingPullSource = <T>(make: (k: number) => T, count = Infinity): { calls: { next: number; return: number }; source: PullSource<T> } => {
  const calls = { next: 0, return: 0 };
  const source = fromIterator<T>(() => {
    let k = 0;
    return {
      next: (): IteratorResult<T> => {
        calls.next++;
        return k < count ? { value: make(k++), done: false } : { value: undefined, done: true };
      },
      return: (): IteratorResult<T> => {
        calls.return++;
        return { value: undefined, done: true };
      },
    };
  });
  return { calls, source };
};

/**
 * The Rng for test seed `s`: a derived child, as streams give operators (`liftTransform` derives one
 * per batch). The root `createRng(s)` of nearby small seeds starts with nearly equal first draws
 * (pure-rand's xoroshiro128+ seeding), so tests never draw straight from a root.
 */
export const seeded = (s: number): Rng => createRng(s).derive('test');
