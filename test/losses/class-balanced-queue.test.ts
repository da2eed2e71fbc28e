import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { classBalancedQueueLabels, createClassBalancedQueue, enqueueClassBalanced } from '../../src/losses/class-balanced-queue.js';
import { expectAllClose } from './helpers/reference.js';

const rowNorms = (keys: Float32Array, dim: number): number[] =>
  Array.from({ length: keys.length / dim }, (_, r) => Math.hypot(...keys.subarray(r * dim, (r + 1) * dim)));

describe('class-balanced queue', () => {
  it('starts with C·Q unit rows from the Rng, every pointer at 0, the same for the same seed', () => {
    const q = createClassBalancedQueue(3, 2, 4, createRng(5));
    expect(q.keys).toHaveLength(3 * 2 * 4);
    expectAllClose(rowNorms(q.keys, 4), new Array<number>(6).fill(1), 1e-6);
    expect([...q.pointers]).toEqual([0, 0, 0]);
    expect([...createClassBalancedQueue(3, 2, 4, createRng(5)).keys]).toEqual([...q.keys]);
    expect([...createClassBalancedQueue(3, 2, 4, createRng(6)).keys]).not.toEqual([...q.keys]);
  });

  it("writes each row into its class's ring at the pointer, normalised, and advances it mod Q", () => {
    const q0 = createClassBalancedQueue(2, 2, 2, createRng(1));
    const before = Float32Array.from(q0.keys);
    // Three rows of class 1 (slots 0, 1, then 0 again) and one of class 0.
    const q1 = enqueueClassBalanced(q0, [3, 4, 0, 2, 1, 0, 6, 8], [1, 1, 0, 1]);
    expect([...q0.keys]).toEqual([...before]); // the input queue is untouched
    expect([...q0.pointers]).toEqual([0, 0]);
    expect([...q1.pointers]).toEqual([1, 1]);
    // Row layout: class 0 → rows 0, 1; class 1 → rows 2, 3.
    expectAllClose(q1.keys.subarray(0, 2), [1, 0], 1e-7); // class 0 slot 0 ← (1, 0)
    expect([...q1.keys.subarray(2, 4)]).toEqual([...before.subarray(2, 4)]); // class 0 slot 1 untouched
    expectAllClose(q1.keys.subarray(4, 6), [0.6, 0.8], 1e-7); // class 1 slot 0 ← (6, 8) overwrote (3, 4)
    expectAllClose(q1.keys.subarray(6, 8), [0, 1], 1e-7); // class 1 slot 1 ← (0, 2)
  });

  it('labels key rows c repeated Q times', () => {
    expect([...classBalancedQueueLabels(createClassBalancedQueue(3, 2, 1, createRng(0)))]).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('refuses bad sizes and labels', () => {
    expect(() => createClassBalancedQueue(0, 2, 2, createRng(0))).toThrow(/numClasses must be a positive integer/);
    const q = createClassBalancedQueue(2, 1, 2, createRng(0));
    expect(() => enqueueClassBalanced(q, [1, 2, 3], [0, 1])).toThrow(/3 feature values for 2 labels of dimension 2/);
    expect(() => enqueueClassBalanced(q, [1, 2], [2])).toThrow(/label 2 at row 0 is not a class in 0\.\.1/);
  });
});
