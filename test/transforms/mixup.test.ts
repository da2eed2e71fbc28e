import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { mixup, mixupDefaults } from '../../src/transforms/mixup.js';
import { liftTransform } from '../../src/transforms/batch-transform.js';
import { expectUntouched, plain, seeded, tagged } from './fixtures.js';

describe('mixup', () => {
  it('blends every float as λ·x_i + (1 − λ)·x_π(i) with the float32 λ it stores, and mixes the labels the same way', () => {
    // Labels are the row numbers, so mix.y names each row's partner.
    const b = tagged(4, 2, 3, 2);
    const out = mixup({ alpha: 1 })(b, seeded(11));
    const lambda = out.mix!.lambda[0]!;
    expect(lambda).toBeGreaterThan(0);
    expect(lambda).toBeLessThan(1);
    expect([...out.mix!.lambda]).toEqual([lambda, lambda, lambda, lambda]);
    expect([...out.mix!.y].sort()).toEqual([0, 1, 2, 3]);
    for (let i = 0; i < 4; i++) {
      const p = out.mix!.y[i]!;
      for (let j = 0; j < 12; j++) {
        expect(out.x[i * 12 + j]).toBe(Math.fround(lambda * b.x[i * 12 + j]! + (1 - lambda) * b.x[p * 12 + j]!));
      }
    }
    expect(out.y).toBe(b.y);
    expect(out.index).toBe(b.index);
  });

  it('gives λ = 1 and unchanged pixels for α = 0 (as the official code does)', () => {
    const b = tagged(3, 2, 2);
    const out = mixup({ alpha: 0 })(b, seeded(0));
    expect([...out.x]).toEqual([...b.x]);
    expect([...out.mix!.lambda]).toEqual([1, 1, 1]);
  });

  it('draws λ from Beta(α, α): mean 1/2 and variance 1/(4(2α + 1)) over many batches', () => {
    const b = tagged(2, 1, 1);
    for (const alpha of [1, 0.4]) {
      const ls = Array.from({ length: 4000 }, (_, s) => mixup({ alpha })(b, seeded(s)).mix!.lambda[0]!);
      const mean = ls.reduce((s, l) => s + l, 0) / ls.length;
      const variance = ls.reduce((s, l) => s + (l - mean) ** 2, 0) / ls.length;
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.025);
      expect(Math.abs(variance - 1 / (4 * (2 * alpha + 1)))).toBeLessThan(0.01);
    }
  });

  it('keeps weights and noise marks of the row and never mutates its input', () => {
    const b = { ...tagged(5, 2, 2), weight: Float32Array.of(1, 2, 3, 4, 5), noise: Uint8Array.of(0, 1, 0, 0, 1) };
    const out = expectUntouched([b], () => mixup(mixupDefaults)(b, seeded(3)));
    expect(out.weight).toBe(b.weight);
    expect(out.noise).toBe(b.noise);
  });

  it('is a function of the Rng', () => {
    const b = tagged(6, 2, 2);
    expect(plain(mixup(mixupDefaults)(b, seeded(5)))).toEqual(plain(mixup(mixupDefaults)(b, seeded(5))));
    expect(plain(mixup(mixupDefaults)(b, seeded(5)))).not.toEqual(plain(mixup(mixupDefaults)(b, seeded(6))));
  });

  it('refuses a batch that already carries mixed targets, and a negative α', () => {
    const b = mixup(mixupDefaults)(tagged(2, 1, 1), seeded(0));
    expect(() => mixup(mixupDefaults)(b, seeded(1))).toThrow('mixup: the batch already carries mixed targets');
    expect(() => mixup({ alpha: -1 })).toThrow('mixup: alpha must be a finite number ≥ 0, got -1');
  });

  it('handles an empty batch', () => {
    const out = mixup(mixupDefaults)(tagged(0, 2, 2), seeded(0));
    expect(out.x).toHaveLength(0);
    expect(out.mix!.y).toHaveLength(0);
  });

  it('draws a different λ for each batch of a lifted stream', async () => {
    const out = await lastValueFrom(from([tagged(3, 1, 1), tagged(3, 1, 1)]).pipe(liftTransform(mixup(mixupDefaults), seeded(2)), toArray()));
    expect(out[0]!.mix!.lambda[0]).not.toBe(out[1]!.mix!.lambda[0]);
  });
});
