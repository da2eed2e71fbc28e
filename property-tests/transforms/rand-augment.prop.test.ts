/** Invariants of RandAugment over arbitrary batches, normalisations, N, M and seeds. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randAugment, randAugmentDefaults } from '../../src/transforms/rand-augment.js';
import { batchDimsArb, batchOfDimsArb } from '../arbitraries/host-batch.js';
import { seedArb } from '../arbitraries/class-counts.js';
import { expectWellFormed, plain, rngOf } from './helpers.js';

const problemArb = batchDimsArb({ maxSide: 8 }).chain((dims) =>
  fc.record({
    batch: batchOfDimsArb(dims, { bound: 3 }),
    classes: fc.constant(dims.classes),
    normalization: fc.record({
      mean: fc.array(fc.double({ min: 0.1, max: 0.9, noNaN: true }), { minLength: dims.shape.channels, maxLength: dims.shape.channels }),
      std: fc.array(fc.double({ min: 0.1, max: 0.5, noNaN: true }), { minLength: dims.shape.channels, maxLength: dims.shape.channels }),
    }),
    config: fc.record({
      numOps: fc.integer({ min: 0, max: 4 }),
      magnitude: fc.integer({ min: 0, max: 30 }),
      numMagnitudeBins: fc.constant(31),
      ops: fc.constant(null),
    }),
  }),
);

describe('RandAugment properties', () => {
  it('keeps shape, dtypes, labels and indices; outputs are normalised pixels of [0, 1]; never mutates its input', () =>
    fc.assert(
      fc.property(problemArb, seedArb, ({ batch, classes, normalization, config }, seed) => {
        const before = plain(batch);
        const out = randAugment(config, normalization)(batch, rngOf(seed));
        expect(plain(batch)).toEqual(before);
        expectWellFormed(out, batch.shape, classes);
        expect(out.y).toBe(batch.y);
        const C = batch.shape.channels;
        if (config.numOps > 0) {
          const bad = out.x.filter((v, f) => {
            const c = f % C;
            const p = v * normalization.std[c]! + normalization.mean[c]!;
            return !(p >= -1e-5 && p <= 1 + 1e-5);
          });
          expect(bad.length).toBe(0);
        }
      }),
    ));

  it('same seed → identical output', () =>
    fc.assert(
      fc.property(problemArb, seedArb, ({ batch, normalization, config }, seed) => {
        const f = randAugment(config, normalization);
        expect(plain(f(batch, rngOf(seed)))).toEqual(plain(f(batch, rngOf(seed))));
      }),
    ));

  it('different seeds → different outputs for textured images', () =>
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 12 }), seedArb, seedArb, (side, s1, s2) => {
        fc.pre(s1 !== s2);
        const per = side * side * 3;
        const batch = {
          x: Float32Array.from({ length: 4 * per }, (_, i) => Math.sin(0.7 * i) * 1.5),
          y: new Int32Array(4),
          index: new Int32Array(4),
          shape: { height: side, width: side, channels: 3 },
        };
        const norm = { mean: [0.5, 0.5, 0.5], std: [0.3, 0.3, 0.3] };
        const f = randAugment(randAugmentDefaults, norm);
        expect(plain(f(batch, rngOf(s1)))).not.toEqual(plain(f(batch, rngOf(s2))));
      }),
      { numRuns: 30 },
    ));
});
