/** Checks shared by the transform properties. */
import { expect } from 'vitest';
import { createRng, type Rng } from '../../src/core/rng.js';
import type { HostBatch } from '../../src/core/host-batch.js';

/** The Rng of a property seed (a derived child, as streams hand operators). */
export const rngOf = (seed: number): Rng => createRng(seed).derive('property');

/** A plain deep copy (arrays as number arrays) for equality checks. */
export const plain = (b: HostBatch): unknown => ({
  x: Array.from(b.x),
  y: Array.from(b.y),
  index: Array.from(b.index),
  shape: { ...b.shape },
  weight: b.weight === undefined ? null : Array.from(b.weight),
  mix: b.mix === undefined ? null : { y: Array.from(b.mix.y), lambda: Array.from(b.mix.lambda) },
  noise: b.noise === undefined ? null : Array.from(b.noise),
});

/**
 * The batch keeps `shape`, has n·per float32 pixels, int32 labels in [0, classes), and when mixed:
 * second labels in range, λ in [0, 1], and soft targets λ·e_y + (1 − λ)·e_y₂ that sum to 1.
 * (Checks are collected and asserted once: an `expect` per float would dominate the run time.)
 */
export const expectWellFormed = (b: HostBatch, shape: HostBatch['shape'], classes: number, size = b.y.length): void => {
  const per = shape.height * shape.width * shape.channels;
  expect(b.shape).toEqual(shape);
  expect(b.x).toBeInstanceOf(Float32Array);
  expect(b.y).toBeInstanceOf(Int32Array);
  expect(b.index).toBeInstanceOf(Int32Array);
  expect([b.y.length, b.x.length, b.index.length]).toEqual([size, size * per, size]);
  const problems: string[] = [];
  if (!b.x.every(Number.isFinite)) problems.push('non-finite pixel');
  b.y.forEach((y, i) => {
    if (!(y >= 0 && y < classes)) problems.push(`label ${y} at ${i}`);
  });
  if (b.mix !== undefined) {
    expect(b.mix.y).toBeInstanceOf(Int32Array);
    expect(b.mix.lambda).toBeInstanceOf(Float32Array);
    expect([b.mix.y.length, b.mix.lambda.length]).toEqual([size, size]);
    for (let i = 0; i < size; i++) {
      const l = b.mix.lambda[i]!;
      const y2 = b.mix.y[i]!;
      if (!(l >= 0 && l <= 1)) problems.push(`λ ${l} at ${i}`);
      if (!(y2 >= 0 && y2 < classes)) problems.push(`second label ${y2} at ${i}`);
      else {
        const soft = new Float64Array(classes);
        soft[b.y[i]!]! += l;
        soft[y2]! += 1 - l;
        const total = soft.reduce((s, v) => s + v, 0);
        if (!(Math.abs(total - 1) < 1e-12)) problems.push(`soft target of row ${i} sums to ${total}`);
        if (!soft.every((v) => v >= 0 && v <= 1)) problems.push(`soft target of row ${i} outside [0, 1]`);
      }
    }
  }
  expect(problems).toEqual([]);
};
