/** Invariants of mixup over arbitrary batches, α and seeds. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mixup } from '../../src/transforms/mixup.js';
import { hostBatchArb } from '../arbitraries/host-batch.js';
import { seedArb } from '../arbitraries/class-counts.js';
import { expectWellFormed, plain, rngOf } from './helpers.js';

const alphaArb = fc.oneof(fc.constant(1), fc.double({ min: 0.05, max: 8, noNaN: true }));

describe('mixup properties', () => {
  it('keeps shape and dtypes, labels in range, λ in [0, 1], soft targets summing to 1; never mutates its input', () =>
    fc.assert(
      fc.property(hostBatchArb(), alphaArb, seedArb, ({ batch, classes }, alpha, seed) => {
        const before = plain(batch);
        const out = mixup({ alpha })(batch, rngOf(seed));
        expect(plain(batch)).toEqual(before);
        expectWellFormed(out, batch.shape, classes);
        expect(out.mix).toBeDefined();
      }),
    ));

  it('every output image is λ·x_i + (1 − λ)·x_j for a partner j labelled mix.y_i, and mix.y is a permutation of y', () =>
    fc.assert(
      fc.property(hostBatchArb({ distinctRows: true }), alphaArb, seedArb, ({ batch }, alpha, seed) => {
        const out = mixup({ alpha })(batch, rngOf(seed));
        const per = batch.x.length / batch.y.length;
        const l = out.mix!.lambda[0]!;
        expect([...out.mix!.y].sort()).toEqual([...batch.y].sort());
        for (let i = 0; i < batch.y.length; i++) {
          const partners = [...batch.y.keys()].filter((j) => batch.y[j] === out.mix!.y[i]);
          const matches = partners.some((j) => {
            for (let f = 0; f < per; f++) {
              if (out.x[i * per + f] !== Math.fround(l * batch.x[i * per + f]! + (1 - l) * batch.x[j * per + f]!)) return false;
            }
            return true;
          });
          expect(matches).toBe(true);
        }
      }),
    ));

  it('same seed → identical output; different seeds → different outputs', () =>
    fc.assert(
      fc.property(hostBatchArb({ distinctRows: true }), seedArb, seedArb, ({ batch }, s1, s2) => {
        fc.pre(s1 !== s2);
        const f = mixup({ alpha: 1 });
        expect(plain(f(batch, rngOf(s1)))).toEqual(plain(f(batch, rngOf(s1))));
        expect(plain(f(batch, rngOf(s1)))).not.toEqual(plain(f(batch, rngOf(s2))));
      }),
    ));
});
