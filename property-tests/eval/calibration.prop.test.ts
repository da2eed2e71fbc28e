import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { logitsArb } from '../arbitraries/logits.js';
import { classCountsArb } from '../arbitraries/class-counts.js';
import { columnNorms } from '../../src/eval/calibration/host-matrix.js';
import { argmaxRows, softmaxRows } from '../../src/eval/calibration/host-matrix.js';
import { tauNormalizeKernel } from '../../src/eval/calibration/tau-normalization.js';
import { posthocAdjustLogits, posthocAdjustProbabilities } from '../../src/eval/calibration/posthoc-logit-adjustment.js';
import { identityMarc, marcLogits } from '../../src/eval/calibration/marc.js';

/** A [D, C] kernel drawn as D rows of C logits. */
const kernelArb = logitsArb({ minRows: 1, maxRows: 5, minClasses: 1, maxClasses: 6, bound: 5 });

describe('post-hoc calibration properties', () => {
  it('τ-normalisation turns each class norm ‖w‖ into ‖w‖^(1−τ)', () =>
    fc.assert(
      fc.property(kernelArb, fc.double({ min: 0, max: 2, noNaN: true }), ({ classes, logits }, tau) => {
        const kernel = Float64Array.from(logits.flat());
        const before = columnNorms(kernel, classes);
        const after = columnNorms(tauNormalizeKernel(kernel, classes, tau), classes);
        // Float32 output: compare relatively, away from denormal norms.
        before.forEach((n, j) => {
          if (n > 1e-20) expect(Math.abs(after[j]! / n ** (1 - tau) - 1)).toBeLessThan(1e-4);
        });
      }),
    ));

  it('τ = 0 leaves any kernel as it is', () =>
    fc.assert(
      fc.property(kernelArb, ({ classes, logits }) => {
        const kernel = Float32Array.from(logits.flat());
        expect(Array.from(tauNormalizeKernel(kernel, classes, 0))).toEqual(Array.from(kernel));
      }),
    ));

  it('post-hoc logit adjustment with a uniform prior changes neither probabilities nor predictions', () =>
    fc.assert(
      fc.property(logitsArb(), fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 3, noNaN: true }), ({ classes, logits }, n, tau) => {
        const z = Float32Array.from(logits.flat());
        const adjusted = posthocAdjustLogits(z, new Array(classes).fill(n), tau);
        const p = softmaxRows(z, classes);
        softmaxRows(adjusted, classes).forEach((v, i) => expect(v).toBeCloseTo(p[i]!, 5));
        // The same prediction, unless the top two logits are a float32 rounding apart.
        const predicted = argmaxRows(adjusted, classes);
        argmaxRows(z, classes).forEach((k, i) => {
          const row = logits[i]!;
          const gap = Math.min(...row.map((v, j) => (j === k ? Infinity : row[k]! - v)));
          if (gap > 1e-4) expect(predicted[i]).toBe(k);
        });
      }),
    ));

  it('post-hoc adjustment of probabilities gives rows that sum to 1', () =>
    fc.assert(
      fc.property(
        logitsArb().chain((l) => classCountsArb({ minClasses: l.classes, maxClasses: l.classes }).map((counts) => ({ ...l, counts }))),
        ({ classes, logits, counts }) => {
          const q = posthocAdjustProbabilities(softmaxRows(Float32Array.from(logits.flat()), classes), counts);
          for (let i = 0; i < q.length / classes; i++) {
            const row = q.subarray(i * classes, (i + 1) * classes);
            expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
          }
        },
      ),
    ));

  it('MARC with ω = 1, β = 0 is the identity', () =>
    fc.assert(
      fc.property(logitsArb(), ({ classes, logits }) => {
        const z = Float32Array.from(logits.flat());
        expect(Array.from(marcLogits(z, new Array(classes).fill(2), identityMarc(classes)))).toEqual(Array.from(z));
      }),
    ));
});
