/**
 * Invariants of GAE's guided adversarial examples over arbitrary batches, counts, normalisations,
 * oracle answers (gradients with zeros, tiny and huge values; arbitrary predictions) and seeds.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { guidedAdversarial, guidedAdversarialDefaults, tailClassMask } from '../../src/transforms/guided-adversarial.js';
import type { GradientOracle } from '../../src/transforms/gradient-oracle.js';
import { batchDimsArb, batchOfDimsArb } from '../arbitraries/host-batch.js';
import { positiveCountsArb, seedArb } from '../arbitraries/class-counts.js';
import { expectWellFormed, plain, rngOf } from './helpers.js';

/** An oracle that answers from fixed lists, cycled by call and position: any gradient, any prediction. */
const scriptedOracle = (gradients: readonly number[], predictions: readonly number[], classes: number): GradientOracle => {
  let call = 0;
  return (q) => {
    call++;
    return {
      gradient: Float32Array.from(q.x, (_, f) => gradients[(7 * call + f) % gradients.length]!),
      predicted: Int32Array.from(q.y, (_, i) => predictions[(3 * call + i) % predictions.length]! % classes),
    };
  };
};

const gradientArb = fc.oneof(
  fc.constant(0),
  fc.double({ min: -1e-30, max: 1e-30, noNaN: true }),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.double({ min: -1e30, max: 1e30, noNaN: true }),
);

/** A batch (pixels within ±5 of the normalised range or arbitrary), counts, normalisation, config and oracle script. */
const problemArb = batchDimsArb({ maxChannels: 3, maxSide: 4 }).chain((dims) =>
  fc.record({
    batch: batchOfDimsArb(dims),
    counts: positiveCountsArb(dims.classes),
    normalization: fc.record({
      mean: fc.array(fc.double({ min: 0.05, max: 0.95, noNaN: true }), { minLength: dims.shape.channels, maxLength: dims.shape.channels }),
      std: fc.array(fc.double({ min: 0.05, max: 0.5, noNaN: true }), { minLength: dims.shape.channels, maxLength: dims.shape.channels }),
    }),
    norm: fc.constantFrom('linf' as const, 'l2' as const),
    epsilon: fc.oneof(fc.constant(1 / 255), fc.double({ min: 0, max: 1, noNaN: true })),
    stepScale: fc.double({ min: 0, max: 4, noNaN: true }),
    steps: fc.integer({ min: 1, max: 6 }),
    randomStart: fc.boolean(),
    kappaRule: fc.constantFrom('label' as const, 'batch-tail-labels' as const),
    gradients: fc.array(gradientArb, { minLength: 1, maxLength: 20 }),
    predictions: fc.array(fc.nat(20), { minLength: 1, maxLength: 10 }),
  }),
);

describe('gae properties', () => {
  it('appends only tail rows, within ε (L∞ per channel, or L2 in pixel units) and the widened pixel box; the batch rows stay bit for bit', () => {
    let appended = 0;
    fc.assert(
      fc.property(problemArb, seedArb, (p, seed) => {
        const { batch, counts, normalization, epsilon, norm } = p;
        const classes = counts.length;
        const before = plain(batch);
        const config = { ...guidedAdversarialDefaults, epsilon, norm, steps: p.steps, stepSize: p.stepScale * epsilon, randomStart: p.randomStart, kappaRule: p.kappaRule };
        const oracle = scriptedOracle(p.gradients, p.predictions, classes);
        const out = guidedAdversarial(config, { classCounts: counts, normalization, oracle })(batch, rngOf(seed));
        expect(plain(batch)).toEqual(before);
        expectWellFormed(out, batch.shape, classes);
        const n = batch.y.length;
        const per = batch.x.length / n;
        const C = batch.shape.channels;
        const tail = tailClassMask('below-median', counts);
        expect([...out.x.subarray(0, n * per)]).toEqual([...batch.x]);
        expect([...out.y.subarray(0, n)]).toEqual([...batch.y]);
        const problems: string[] = [];
        if (out.y.length > n) appended++;
        for (let a = n; a < out.y.length; a++) {
          const src = out.index[a]!; // the arbitrary batch's indices are its row numbers
          if (out.y[a] !== batch.y[src]) problems.push(`row ${a}: label ${out.y[a]} of source ${src} labelled ${batch.y[src]}`);
          if (!tail[out.y[a]!]) problems.push(`row ${a}: class ${out.y[a]} is not tail`);
          let r2 = 0;
          for (let j = 0; j < per; j++) {
            const c = j % C;
            const v = out.x[a * per + j]!;
            const x0 = batch.x[src * per + j]!;
            const lo = Math.min((0 - normalization.mean[c]!) / normalization.std[c]!, x0);
            const hi = Math.max((1 - normalization.mean[c]!) / normalization.std[c]!, x0);
            if (!(v >= lo && v <= hi)) problems.push(`row ${a}: ${v} outside [${lo}, ${hi}]`);
            if (norm === 'linf' && !(Math.abs(v - x0) <= epsilon / normalization.std[c]!)) problems.push(`row ${a}: |δ| ${Math.abs(v - x0)} > ε/std`);
            r2 += ((v - x0) * normalization.std[c]!) ** 2;
          }
          if (norm === 'l2' && !(Math.sqrt(r2) <= epsilon * (1 + 1e-12))) problems.push(`row ${a}: ‖δ‖₂ ${Math.sqrt(r2)} > ε ${epsilon}`);
        }
        expect(problems).toEqual([]);
        // Appended rows come from distinct tail rows, in batch order.
        const sources = [...out.index.subarray(n)];
        expect(sources).toEqual([...new Set(sources)].sort((x, y) => x - y));
      }),
      { numRuns: 200 },
    );
    // Not vacuous: a good share of the runs attacked and appended rows.
    expect(appended).toBeGreaterThan(40);
  });

  it('weights the rows so that the mean reduction gives mean_clean + λ·mean_guiding, or returns the batch itself', () =>
    fc.assert(
      fc.property(problemArb, fc.double({ min: 0, max: 3, noNaN: true }), seedArb, (p, lambda, seed) => {
        const { batch, counts, normalization } = p;
        const oracle = scriptedOracle(p.gradients, p.predictions, counts.length);
        const out = guidedAdversarial({ ...guidedAdversarialDefaults, adversarialWeight: lambda }, { classCounts: counts, normalization, oracle })(batch, rngOf(seed));
        const n = batch.y.length;
        const m = out.y.length - n;
        if (m === 0) {
          expect(out).toBe(batch);
          return;
        }
        out.weight!.forEach((w, i) => {
          const expected = i < n ? (n + m) / n : (lambda * (n + m)) / m;
          expect(w).toBe(Math.fround(expected));
        });
      }),
    ));

  it('same seed → identical output', () =>
    fc.assert(
      fc.property(problemArb, seedArb, (p, seed) => {
        const run = () =>
          plain(
            guidedAdversarial(guidedAdversarialDefaults, {
              classCounts: p.counts,
              normalization: p.normalization,
              oracle: scriptedOracle(p.gradients, p.predictions, p.counts.length),
            })(p.batch, rngOf(seed)),
          );
        expect(run()).toEqual(run());
      }),
      { numRuns: 50 },
    ));
});
