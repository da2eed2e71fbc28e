/** Invariants of CutMix over arbitrary batches, β, p and seeds. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cutMix } from '../../src/transforms/cut-mix.js';
import { hostBatchArb } from '../arbitraries/host-batch.js';
import { seedArb } from '../arbitraries/class-counts.js';
import { expectWellFormed, plain, rngOf } from './helpers.js';

const configArb = fc.record({
  beta: fc.oneof(fc.constant(1), fc.double({ min: 0.1, max: 5, noNaN: true })),
  probability: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
});

/** Pixels of row i that differ from the input's row i in some channel. */
const changedPixels = (before: Float32Array, after: Float32Array, i: number, pixels: number, channels: number): number => {
  let changed = 0;
  for (let p = 0; p < pixels; p++) {
    const at = (i * pixels + p) * channels;
    let same = true;
    for (let c = 0; c < channels; c++) if (after[at + c] !== before[at + c]) same = false;
    if (!same) changed++;
  }
  return changed;
};

describe('CutMix properties', () => {
  it('keeps shape and dtypes, labels in range, λ in [0, 1], soft targets summing to 1; never mutates its input', () =>
    fc.assert(
      fc.property(hostBatchArb(), configArb, seedArb, ({ batch, classes }, config, seed) => {
        const before = plain(batch);
        const out = cutMix(config)(batch, rngOf(seed));
        expect(plain(batch)).toEqual(before);
        expectWellFormed(out, batch.shape, classes);
      }),
    ));

  it('the pasted area is (1 − λ)·H·W to the pixel, and the same in every row that got a patch', () =>
    fc.assert(
      fc.property(hostBatchArb({ distinctRows: true, maxSide: 12 }), seedArb, ({ batch }, seed) => {
        const out = cutMix({ beta: 1, probability: 1 })(batch, rngOf(seed));
        const { height: H, width: W, channels: C } = batch.shape;
        const area = (1 - out.mix!.lambda[0]!) * H * W;
        expect(Math.abs(area - Math.round(area))).toBeLessThan(1e-3);
        for (let i = 0; i < batch.y.length; i++) {
          const changed = changedPixels(batch.x, out.x, i, H * W, C);
          // Unchanged only when the partner is the row itself.
          expect(changed === 0 || changed === Math.round(area)).toBe(true);
        }
      }),
    ));

  it('same seed → identical output; some of 12 seeds differ (images ≥ 6×6: P(no patch) ≤ 1/9 per seed)', () =>
    fc.assert(
      fc.property(hostBatchArb({ distinctRows: true, minSize: 2, minSide: 6, maxSide: 10 }), seedArb, ({ batch }, seed) => {
        const f = cutMix({ beta: 1, probability: 1 });
        expect(plain(f(batch, rngOf(seed)))).toEqual(plain(f(batch, rngOf(seed))));
        const outs = new Set(Array.from({ length: 12 }, (_, k) => k).map((k) => JSON.stringify(plain(f(batch, rngOf(seed + k))))));
        expect(outs.size).toBeGreaterThan(1);
      }),
    ));
});
