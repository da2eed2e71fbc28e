/** Invariants of Open-Sampling over arbitrary batches, counts, α, η and seeds. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { complementaryDistribution, openSampling } from '../../src/transforms/open-sampling.js';
import { batchDimsArb, batchOfDimsArb } from '../arbitraries/host-batch.js';
import { positiveCountsArb, seedArb } from '../arbitraries/class-counts.js';
import { expectWellFormed, plain, rngOf } from './helpers.js';

const problemArb = batchDimsArb().chain((dims) =>
  fc.record({
    batch: batchOfDimsArb(dims),
    open: fc.integer({ min: 0, max: 12 }).chain((m) => batchOfDimsArb({ ...dims, size: m }, {}, 500)),
    counts: positiveCountsArb(dims.classes),
    eta: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 4, noNaN: true })),
  }),
);

describe('Open-Sampling properties', () => {
  it('Γ is a distribution, ordered against the prior, with Γ_i = (α − π_i)/(Kα − 1)', () =>
    fc.assert(
      fc.property(positiveCountsArb(6).chain((c) => fc.tuple(fc.constant(c), fc.option(fc.double({ min: 0, max: 3, noNaN: true })))), ([counts, extra]) => {
        const total = counts.reduce((s, c) => s + c, 0);
        const prior = counts.map((c) => c / total);
        const alpha = extra === null ? null : Math.max(...prior) + extra + 1e-9;
        const gamma = complementaryDistribution(counts, alpha);
        const a = alpha ?? Math.max(...prior) + Math.min(...prior);
        expect(Math.abs(gamma.reduce((s, g) => s + g, 0) - 1)).toBeLessThan(1e-9);
        gamma.forEach((g, i) => {
          expect(g).toBeGreaterThanOrEqual(0);
          expect(Math.abs(g - (a - prior[i]!) / (counts.length * a - 1))).toBeLessThan(1e-12);
          gamma.forEach((h, j) => {
            if (prior[i]! < prior[j]!) expect(g).toBeGreaterThanOrEqual(h);
          });
        });
      }),
    ));

  it('appends the open rows with labels in range and sane weights, keeps the batch rows first; never mutates its inputs', () =>
    fc.assert(
      fc.property(problemArb, seedArb, ({ batch, open, counts, eta }, seed) => {
        const before = [plain(batch), plain(open)];
        const out = openSampling({ alpha: null, eta }, { classCounts: counts })(batch, open, rngOf(seed));
        expect([plain(batch), plain(open)]).toEqual(before);
        const n = batch.y.length;
        expectWellFormed(out, batch.shape, counts.length, n + open.y.length);
        expect([...out.x.subarray(0, batch.x.length)]).toEqual([...batch.x]);
        expect([...out.y.subarray(0, n)]).toEqual([...batch.y]);
        expect(out.weight!.every((w) => Number.isFinite(w) && w >= 0)).toBe(true);
      }),
    ));

  it("the mean reduction of the weights equals mean CE_in + η·Σ w_ỹ CE_open / Σ w_ỹ for any per-example losses", () =>
    fc.assert(
      fc.property(problemArb, seedArb, fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 30, maxLength: 30 }), ({ batch, open, counts, eta }, seed, losses) => {
        fc.pre(open.y.length > 0);
        const out = openSampling({ alpha: null, eta }, { classCounts: counts })(batch, open, rngOf(seed));
        const n = batch.y.length;
        const total = out.y.length;
        const gamma = complementaryDistribution(counts);
        const meanReduced = out.weight!.reduce((s, w, i) => s + w * losses[i]!, 0) / total;
        const inTerm = losses.slice(0, n).reduce((s, l) => s + l, 0) / n;
        const w = [...out.y.subarray(n)].map((y) => counts.length * gamma[y]!);
        const openTerm = w.reduce((s, wj, j) => s + wj * losses[n + j]!, 0) / w.reduce((s, wj) => s + wj, 0);
        const expected = inTerm + eta * openTerm;
        expect(Math.abs(meanReduced - expected)).toBeLessThanOrEqual(1e-5 * (1 + expected));
      }),
    ));

  it('open labels follow Γ (within 6 binomial std + 6 counts over 4000 draws: rare classes are Poisson-like)', () =>
    fc.assert(
      fc.property(positiveCountsArb(5), seedArb, (counts, seed) => {
        const one = { x: new Float32Array(1), y: new Int32Array(1), index: new Int32Array(1), shape: { height: 1, width: 1, channels: 1 } };
        const open = { x: new Float32Array(4000), y: new Int32Array(4000), index: new Int32Array(4000), shape: one.shape };
        const out = openSampling({ alpha: null, eta: 1 }, { classCounts: counts })(one, open, rngOf(seed));
        const hits = new Array<number>(5).fill(0);
        for (const y of out.y.subarray(1)) hits[y]!++;
        complementaryDistribution(counts).forEach((p, k) => {
          expect(Math.abs(hits[k]! / 4000 - p)).toBeLessThanOrEqual(6 * Math.sqrt((p * (1 - p)) / 4000) + 6 / 4000);
        });
      }),
      { numRuns: 30 },
    ));

  it('same seed → identical output; different seeds → different labels for a large open batch', () =>
    fc.assert(
      fc.property(positiveCountsArb(3), seedArb, seedArb, (counts, s1, s2) => {
        fc.pre(s1 !== s2);
        // With one class holding ≥ 90% of Γ, 256 equal labels are likely enough to repeat (counts 4940, 4892, 1).
        fc.pre(Math.max(...complementaryDistribution(counts)) < 0.9);
        const shape = { height: 1, width: 1, channels: 1 };
        const one = { x: new Float32Array(1), y: new Int32Array(1), index: new Int32Array(1), shape };
        const open = { x: new Float32Array(256), y: new Int32Array(256), index: new Int32Array(256), shape };
        const f = openSampling({ alpha: null, eta: 1 }, { classCounts: counts });
        expect(plain(f(one, open, rngOf(s1)))).toEqual(plain(f(one, open, rngOf(s1))));
        expect([...f(one, open, rngOf(s1)).y]).not.toEqual([...f(one, open, rngOf(s2)).y]);
      }),
    ));
});
