/** Invariants of DBN-Mix's bilateral mixup over arbitrary batch pairs, α and seeds. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bilateralMixup } from '../../src/transforms/bilateral-mixup.js';
import { batchPairArb } from '../arbitraries/host-batch.js';
import { seedArb } from '../arbitraries/class-counts.js';
import { expectWellFormed, plain, rngOf } from './helpers.js';

const configArb = fc.record({ alpha: fc.oneof(fc.constant(1), fc.double({ min: 0.1, max: 5, noNaN: true })), clampLambda: fc.boolean() });

describe('bilateral mixup properties', () => {
  it('both branches keep shape and dtypes, labels in range, λ in [0, 1] (≥ 1/2 when clamped), soft targets summing to 1', () =>
    fc.assert(
      fc.property(batchPairArb(), configArb, seedArb, ({ first, second, classes }, config, seed) => {
        const before = [plain(first), plain(second)];
        const out = bilateralMixup(config)(first, second, rngOf(seed));
        expect([plain(first), plain(second)]).toEqual(before);
        expectWellFormed(out.conventional, first.shape, classes);
        expectWellFormed(out.rebalancing, first.shape, classes);
        if (config.clampLambda) expect(out.conventional.mix!.lambda[0]).toBeGreaterThanOrEqual(0.5);
        expect([...out.conventional.mix!.y]).toEqual([...second.y]);
        expect([...out.rebalancing.y]).toEqual([...second.y]);
        expect([...out.rebalancing.mix!.y]).toEqual([...out.conventional.y]);
      }),
    ));

  it('the two branch inputs add up to x_u[π] + x_b (the weights are λ and 1 − λ on opposite sides)', () =>
    fc.assert(
      fc.property(batchPairArb(), configArb, seedArb, ({ first, second }, config, seed) => {
        const out = bilateralMixup(config)(first, second, rngOf(seed));
        const per = first.x.length / Math.max(1, first.y.length);
        let worst = 0;
        for (let i = 0; i < first.y.length; i++) {
          const p = out.conventional.index[i]!;
          expect(out.conventional.y[i]).toBe(first.y[p]);
          for (let f = 0; f < per; f++) {
            const sum = out.conventional.x[i * per + f]! + out.rebalancing.x[i * per + f]!;
            const expected = first.x[p * per + f]! + second.x[i * per + f]!;
            worst = Math.max(worst, Math.abs(sum - expected) / (1 + Math.abs(first.x[p * per + f]!) + Math.abs(second.x[i * per + f]!)));
          }
        }
        expect(worst).toBeLessThanOrEqual(1e-5);
      }),
    ));

  it('same seed → identical output; different seeds → different λ', () =>
    fc.assert(
      fc.property(batchPairArb(), configArb, seedArb, seedArb, ({ first, second }, config, s1, s2) => {
        fc.pre(s1 !== s2);
        // For small α, Beta(α, α) often lands within 2⁻²⁵ of 0 or 1, so two seeds can both give the float32 λ = 1.
        fc.pre(config.alpha >= 0.5);
        const f = bilateralMixup(config);
        const a = f(first, second, rngOf(s1));
        expect(plain(f(first, second, rngOf(s1)).conventional)).toEqual(plain(a.conventional));
        expect(plain(f(first, second, rngOf(s1)).rebalancing)).toEqual(plain(a.rebalancing));
        expect(f(first, second, rngOf(s2)).conventional.mix!.lambda[0]).not.toBe(a.conventional.mix!.lambda[0]);
      }),
    ));
});
