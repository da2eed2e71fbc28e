/** Invariants of CMO over arbitrary (background, foreground) batches, configs, epochs and seeds. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cmo, cmoDefaults } from '../../src/transforms/cmo.js';
import { batchPairArb } from '../arbitraries/host-batch.js';
import { epochArb, seedArb } from '../arbitraries/class-counts.js';
import { expectWellFormed, plain, rngOf } from './helpers.js';

const always = { beta: 1, probability: 1, startEpoch: 0, skipLastEpochs: 0 };
const configArb = fc.record({
  beta: fc.oneof(fc.constant(1), fc.double({ min: 0.1, max: 5, noNaN: true })),
  probability: fc.double({ min: 0, max: 1, noNaN: true }),
  startEpoch: fc.integer({ min: 0, max: 10 }),
  skipLastEpochs: fc.integer({ min: 0, max: 10 }),
});

describe('CMO properties', () => {
  it('keeps shape and dtypes, labels in range, λ in [0, 1], soft targets summing to 1; never mutates either batch', () =>
    fc.assert(
      fc.property(batchPairArb(), configArb, epochArb, seedArb, ({ first, second, classes }, config, ctx, seed) => {
        const before = [plain(first), plain(second)];
        const out = cmo(config)(first, second, rngOf(seed), ctx);
        expect([plain(first), plain(second)]).toEqual(before);
        expectWellFormed(out, first.shape, classes);
        if (out.mix !== undefined) expect([...out.mix.y]).toEqual([...second.y]);
      }),
    ));

  it('outside its epoch window it returns the background itself', () =>
    fc.assert(
      fc.property(batchPairArb(), configArb, epochArb, seedArb, ({ first, second }, config, ctx, seed) => {
        const inside = ctx.epoch >= config.startEpoch && ctx.epoch < ctx.epochs - config.skipLastEpochs;
        fc.pre(!inside);
        expect(cmo({ ...config, probability: 1 })(first, second, rngOf(seed), ctx)).toBe(first);
      }),
    ));

  it('every row gets the same foreground patch of (1 − λ)·H·W pixels, to the pixel', () =>
    fc.assert(
      fc.property(batchPairArb({ distinctRows: true, maxSide: 12 }), seedArb, ({ first, second }, seed) => {
        const out = cmo(always)(first, second, rngOf(seed));
        const { height: H, width: W, channels: C } = first.shape;
        const area = (1 - out.mix!.lambda[0]!) * H * W;
        expect(Math.abs(area - Math.round(area))).toBeLessThan(1e-3);
        const boxes: string[] = [];
        let stray = 0;
        for (let i = 0; i < first.y.length; i++) {
          const pasted: number[] = [];
          for (let p = 0; p < H * W; p++) {
            const at = (i * H * W + p) * C;
            const fromFg = out.x[at] === second.x[at];
            for (let c = 0; c < C; c++) if (out.x[at + c] !== (fromFg ? second.x[at + c] : first.x[at + c])) stray++;
            if (fromFg) pasted.push(p);
          }
          expect(pasted.length).toBe(Math.round(area));
          boxes.push(pasted.join());
        }
        expect(stray).toBe(0);
        expect(new Set(boxes).size).toBeLessThanOrEqual(1);
      }),
    ));

  it('same seed → identical output; some of 12 seeds differ (images ≥ 6×6: P(no patch) ≤ 1/9 per seed)', () =>
    fc.assert(
      fc.property(batchPairArb({ distinctRows: true, minSide: 6, maxSide: 10 }), seedArb, ({ first, second }, seed) => {
        const f = cmo({ ...cmoDefaults, probability: 1 });
        const ctx = { epoch: 50, epochs: 100 };
        expect(plain(f(first, second, rngOf(seed), ctx))).toEqual(plain(f(first, second, rngOf(seed), ctx)));
        const outs = new Set(Array.from({ length: 12 }, (_, k) => k).map((k) => JSON.stringify(plain(f(first, second, rngOf(seed + k), ctx)))));
        expect(outs.size).toBeGreaterThan(1);
      }),
    ));
});
