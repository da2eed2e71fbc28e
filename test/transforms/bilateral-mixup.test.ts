import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, take, toArray } from 'rxjs';
import { bilateralMixup, bilateralMixupDefaults, bilateralMixupPairs } from '../../src/transforms/bilateral-mixup.js';
import type { BilateralBatch } from '../../src/streams/bilateral-batches.js';
import { expectUntouched, plain, recordingSource, seeded, tagged } from './fixtures.js';

describe('bilateralMixup', () => {
  it('gives the conventional branch λ·x_u[π] + (1 − λ)·x_b and the re-balancing branch (1 − λ)·x_u[π] + λ·x_b, λ ≥ 1/2', () => {
    // Uniform labels are the row numbers (so y of the conventional branch names π); re-balancing labels 10 + row.
    const u = tagged(4, 2, 2, 3);
    const b = tagged(4, 2, 2, 3, [10, 11, 12, 13], 0.5);
    const out = bilateralMixup(bilateralMixupDefaults)(u, b, seeded(4));
    const lambda = out.conventional.mix!.lambda[0]!;
    expect(lambda).toBeGreaterThanOrEqual(0.5);
    expect(lambda).toBeLessThanOrEqual(1);
    expect([...out.conventional.y].sort()).toEqual([0, 1, 2, 3]);
    expect([...out.conventional.mix!.y]).toEqual([10, 11, 12, 13]);
    expect([...out.rebalancing.y]).toEqual([10, 11, 12, 13]);
    expect([...out.rebalancing.mix!.y]).toEqual([...out.conventional.y]);
    expect([...out.rebalancing.mix!.lambda]).toEqual([lambda, lambda, lambda, lambda]);
    for (let i = 0; i < 4; i++) {
      const p = out.conventional.y[i]!;
      for (let j = 0; j < 12; j++) {
        const xu = u.x[p * 12 + j]!;
        const xb = b.x[i * 12 + j]!;
        expect(out.conventional.x[i * 12 + j]).toBe(Math.fround(lambda * xu + (1 - lambda) * xb));
        expect(out.rebalancing.x[i * 12 + j]).toBe(Math.fround((1 - lambda) * xu + lambda * xb));
      }
    }
    expect([...out.conventional.index]).toEqual([...out.conventional.y].map((p) => 100 + p));
    expect(out.rebalancing.index).toBe(b.index);
  });

  it('clamps λ to [1/2, 1] only when clampLambda is on', () => {
    const u = tagged(2, 1, 1);
    const b = tagged(2, 1, 1, 1, [5, 6]);
    const lambdas = (clampLambda: boolean) =>
      Array.from({ length: 400 }, (_, s) => bilateralMixup({ alpha: 1, clampLambda })(u, b, seeded(s)).conventional.mix!.lambda[0]!);
    expect(Math.min(...lambdas(true))).toBeGreaterThanOrEqual(0.5);
    expect(Math.min(...lambdas(false))).toBeLessThan(0.5);
    const mean = lambdas(true).reduce((s, l) => s + l, 0) / 400;
    // max(U, 1 − U) is uniform on [1/2, 1]: mean 3/4, std of the mean ≈ 0.0072.
    expect(Math.abs(mean - 0.75)).toBeLessThan(0.04);
  });

  it('permutes the weights and noise marks of the uniform batch with its rows', () => {
    const u = { ...tagged(3, 1, 1), weight: Float32Array.of(1, 2, 3), noise: Uint8Array.of(1, 0, 0) };
    const b = tagged(3, 1, 1, 1, [4, 4, 4]);
    const out = bilateralMixup(bilateralMixupDefaults)(u, b, seeded(8));
    const p = [...out.conventional.y];
    expect([...out.conventional.weight!]).toEqual(p.map((i) => i + 1));
    expect([...out.conventional.noise!]).toEqual(p.map((i) => (i === 0 ? 1 : 0)));
    expect(out.rebalancing.weight).toBeUndefined();
  });

  it('never mutates its inputs, is a function of the Rng, and refuses mismatched batches', () => {
    const u = tagged(5, 2, 2);
    const b = tagged(5, 2, 2, 1, [1, 1, 1, 1, 1], 0.25);
    const f = bilateralMixup(bilateralMixupDefaults);
    const out = expectUntouched([u, b], () => f(u, b, seeded(1)));
    expect(plain(f(u, b, seeded(1)).conventional)).toEqual(plain(out.conventional));
    expect(plain(f(u, b, seeded(2)).conventional)).not.toEqual(plain(out.conventional));
    expect(() => f(u, tagged(4, 2, 2), seeded(0))).toThrow('bilateralMixup: batch sizes differ (5 uniform, 4 re-balancing)');
    expect(() => bilateralMixup({ alpha: 0, clampLambda: true })).toThrow('bilateralMixup: alpha must be a positive finite number, got 0');
  });
});

describe('bilateralMixupPairs', () => {
  const pair = (k: number): BilateralBatch => ({ conventional: tagged(2, 2, 2), rebalancing: tagged(2, 2, 2, 1, [k, k], 0.5) });

  it('mixes each pair of a bilateral stream with the k-th child Rng', async () => {
    const out = await lastValueFrom(from([0, 1, 2].map(pair)).pipe(bilateralMixupPairs(bilateralMixupDefaults, seeded(0), 1), toArray()));
    const direct = bilateralMixup(bilateralMixupDefaults)(pair(1).conventional, pair(1).rebalancing, seeded(0).derive(2));
    expect(plain(out[1]!.conventional)).toEqual(plain(direct.conventional));
    expect(plain(out[1]!.rebalancing)).toEqual(plain(direct.rebalancing));
  });

  it('stops a synchronous upstream after take(3)', async () => {
    const { emitted, source$ } = recordingSource(pair);
    await lastValueFrom(source$.pipe(bilateralMixupPairs(bilateralMixupDefaults, seeded(0)), take(3), toArray()));
    expect(emitted).toEqual([0, 1, 2]);
  });
});
