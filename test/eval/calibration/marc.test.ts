import { describe, expect, it } from 'vitest';
import {
  fitMarc,
  grwClassWeights,
  identityMarc,
  marcLearningRate,
  marcLogits,
  marcLossAndGradient,
  MARC_DEFAULTS,
} from '../../../src/eval/calibration/marc.js';
import { balancedAccuracyOf } from '../../../src/eval/calibration/host-matrix.js';
import { createRng, draw } from '../../../src/core/rng.js';
import { expectClose } from '../../helpers/expect-close.js';

describe('marcLogits', () => {
  it('ω = 1, β = 0 is the identity', () => {
    const z = Float32Array.from([1, -2, 3, 0.5]);
    expect(Array.from(marcLogits(z, [2, 3], identityMarc(2)))).toEqual(Array.from(z));
  });

  it('computes ω_j·z_j + β_j·‖w_j‖', () => {
    expectClose(marcLogits([1, -2, 3, 0.5], [2, 3], { omega: [2, 0.5], beta: [1, -1] }), [2 + 2, -1 - 3, 6 + 2, 0.25 - 3], 1e-6);
  });
});

describe('grwClassWeights', () => {
  it('w_c = C·π_c^{−s} / Σ π^{−s}: s = 0 uniform, s = 1 inverse frequency, both summing to C', () => {
    expectClose(grwClassWeights([90, 10], 0), [1, 1], 1e-12);
    expectClose(grwClassWeights([90, 10], 1), [0.2, 1.8], 1e-12);
    const w = grwClassWeights([900, 90, 10], 1.2);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 12);
    expect(w[2]! / w[0]!).toBeCloseTo(90 ** 1.2, 6);
  });
});

describe('marcLossAndGradient', () => {
  it('matches finite differences', () => {
    const [values] = draw(createRng(3), (d) => Array.from({ length: 5 * 3 }, () => d.normal() * 2));
    const logits = Float64Array.from(values);
    const labels = [0, 1, 2, 0, 0];
    const norms = [1.5, 0.7, 0.2];
    const weights = grwClassWeights([60, 30, 10], 1.2);
    const params = { omega: [1.1, 0.9, 1.3], beta: [0.2, -0.1, 0.4] };
    const g = marcLossAndGradient(logits, labels, norms, weights, params);
    const h = 1e-6;
    for (const which of ['omega', 'beta'] as const) {
      for (let j = 0; j < 3; j++) {
        const bump = (delta: number) => ({ ...params, [which]: params[which].map((v, k) => (k === j ? v + delta : v)) });
        const fd = (marcLossAndGradient(logits, labels, norms, weights, bump(h)).loss - marcLossAndGradient(logits, labels, norms, weights, bump(-h)).loss) / (2 * h);
        expect((which === 'omega' ? g.dOmega : g.dBeta)[j]).toBeCloseTo(fd, 6);
      }
    }
  });
});

describe('marcLearningRate', () => {
  it('rises from 0.05 to 0.1 over 800 iterations, then follows a cosine to 0 at iteration 2000', () => {
    const lr = (t: number) => marcLearningRate(MARC_DEFAULTS, t);
    expect(lr(0)).toBe(0.05);
    expect(lr(400)).toBeCloseTo(0.075, 12);
    expect(lr(800)).toBeCloseTo(0.1, 12);
    expect(lr(1400)).toBeCloseTo(0.05, 12);
    expect(lr(2000)).toBeCloseTo(0, 12);
  });
});

describe('fitMarc', () => {
  /**
   * A mirror-symmetric problem with a known answer: class 0 (head, 10 copies of each point) at
   * x = 1 + q, class 1 (tail) at x = −1 − q for the same offsets q. With the exactly balanced objective
   * (s = 1) and no weight decay, the balanced loss is symmetric under x → −x with the classes swapped,
   * so the best boundary is x = 0. The frozen classifier z = (x + 1.5, 0) is biased: its boundary is
   * x = −1.5, and it misclassifies every tail point with q < 0.5.
   */
  const q = [-0.9, -0.6, -0.3, 0, 0.2, 0.4, 0.7, 1.1];
  const xs: number[] = [];
  const labels: number[] = [];
  for (const v of q) {
    for (let k = 0; k < 10; k++) {
      xs.push(1 + v);
      labels.push(0);
    }
    xs.push(-1 - v);
    labels.push(1);
  }
  const logits = Float32Array.from(xs.flatMap((x) => [x + 1.5, 0]));
  const norms = [1, 1];
  const counts = [80, 8];

  it('moves the biased boundary to the balanced one', () => {
    const fit = fitMarc(logits, labels, norms, counts, createRng(0), { expScale: 1, weightDecay: 0, batchSize: 1000 });
    // Calibrated logit difference: ω0·(x + 1.5) + β0 − β1; the boundary is where it is 0.
    const boundary = -((fit.omega[0]! * 1.5 + fit.beta[0]! - fit.beta[1]!) / fit.omega[0]!);
    expect(Math.abs(boundary)).toBeLessThan(0.02);
    expect(balancedAccuracyOf(logits, labels, 2)).toBeLessThan(0.8);
    expect(balancedAccuracyOf(marcLogits(logits, norms, fit), labels, 2)).toBe(1);
    expect(fit.omega[1]).toBe(1); // z_1 ≡ 0: ω_1 gets no gradient and no decay without weight decay
  });

  it('zero iterations leave the identity; mini-batches are reproducible from the Rng', () => {
    const none = fitMarc(logits, labels, norms, counts, createRng(0), { iterations: 0 });
    expect({ omega: none.omega, beta: none.beta }).toEqual(identityMarc(2));
    const a = fitMarc(logits, labels, norms, counts, createRng(7), { iterations: 50, batchSize: 16 });
    const b = fitMarc(logits, labels, norms, counts, createRng(7), { iterations: 50, batchSize: 16 });
    expect(a).toEqual(b);
    expect(a.omega.every(Number.isFinite) && a.beta.every(Number.isFinite)).toBe(true);
  });

  it('refuses mismatched inputs', () => {
    expect(() => fitMarc(logits, labels, norms, [1, 2, 3], createRng(0))).toThrow('fitMarc: 3 class counts for 2 classes');
    expect(() => fitMarc(logits, labels.slice(1), norms, counts, createRng(0))).toThrow('fitMarc: 88 logit rows but 87 labels');
    expect(() => fitMarc(logits, labels, norms, counts, createRng(0), { batchSize: 0 })).toThrow('fitMarc: batchSize must be a positive integer, got 0');
  });
});
