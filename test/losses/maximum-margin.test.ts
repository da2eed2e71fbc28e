import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { maximumMargin, maximumMarginBoundaries, MaximumMarginConfig } from '../../src/losses/maximum-margin.js';
import {
  COUNTS,
  Y,
  Z,
  expectAllClose,
  finiteDifferenceGrad,
  gradOfMean,
  maxAbsDiff,
  mean,
  nll,
  perExampleValues,
  type Matrix,
} from './helpers/reference.js';

const TOL = 1e-5;
const ZC: Matrix = Z.map((row) => row.map((v) => v / 2.5));

/** M_y per example and the boundary shift Δ from the paper's per-sample formula, in float64. */
const shifts = (z: Matrix, y: readonly number[], boundary: readonly number[], gamma: number): number[] =>
  z.map((row, i) => {
    const d = row[y[i]!]! - Math.max(...row.filter((_, j) => j !== y[i]));
    const m = boundary[y[i]!]!;
    return d > 0 ? Math.exp(-d - gamma * m) : d < 0 ? Math.exp(-Math.abs(d) - m) : 0;
  });
/** CE(s·(z − Δ e_y)) with Δ given (held fixed, as the official `no_grad` does). */
const withShift = (z: Matrix, y: readonly number[], delta: readonly number[], s: number): number[] =>
  z.map((row, i) => nll(row.map((v, j) => s * (j === y[i] ? v - delta[i]! : v)), y[i]!));
const boundaryRef = (counts: readonly number[], variant: string, maxMargin: number): number[] => {
  const raw = counts.map((n) => n ** -0.25);
  const top = Math.max(...raw);
  return raw.map((r) => (variant === 'hmm' ? maxMargin : maxMargin - (0.5 * r) / top));
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('maximumMargin', () => {
  it('defaults to HMM with s = 19, max_m = 1.29, γ = 1.528 (README CIFAR-100 command)', () => {
    expect(maximumMargin.defaults).toEqual({ variant: 'hmm', maxMargin: 1.29, gamma: 1.528, scale: 19 });
  });

  it('boundary margins: constant for hmm, max_m − LDAM margin (max 0.5) for hmm-ldam', () => {
    expectAllClose(maximumMarginBoundaries(COUNTS, 'hmm', 1.29), [1.29, 1.29, 1.29, 1.29], 0);
    // python3: m = 1/np.sqrt(np.sqrt(n)); 1.29 - m*(0.5/m.max())
    expectAllClose(maximumMarginBoundaries(COUNTS, 'hmm-ldam', 1.29), [1.08191042748561, 1.0283412151519737, 0.9199585977538575, 0.79], 1e-12);
  });

  it('golden: both variants with defaults on cosine logits (numpy-pinned) and the float64 formula', () => {
    // python3 (per-sample formula): d = z_y − max_{j≠y} z_j; Δ as in the module doc; ce(s·(z − Δ e_y))
    const hmm = perExampleValues(maximumMargin, maximumMargin.prepare(maximumMargin.defaults, COUNTS), ZC, Y);
    expectAllClose(hmm, [5.013752837790264e-5, 0.0008286856213519656, 14.270365008040361], TOL);
    const cfg = { ...maximumMargin.defaults, variant: 'hmm-ldam' as const };
    const hmmLdam = perExampleValues(maximumMargin, maximumMargin.prepare(cfg, COUNTS), ZC, Y);
    expectAllClose(hmmLdam, [8.635553525593309e-5, 0.005408835857238614, 15.128842402520847], TOL);
    const b = boundaryRef(COUNTS, 'hmm-ldam', 1.29);
    expectAllClose(hmmLdam, withShift(ZC, Y, shifts(ZC, Y, b, 1.528), 19), TOL);
  });

  it('golden: moderate values with s = 1, M = 0.5, γ = 2', () => {
    const cfg = { variant: 'hmm' as const, maxMargin: 0.5, gamma: 2, scale: 1 };
    const got = perExampleValues(maximumMargin, maximumMargin.prepare(cfg, COUNTS), Z, Y);
    expectAllClose(got, withShift(Z, Y, shifts(Z, Y, [0.5, 0.5, 0.5, 0.5], 2), 1), TOL);
  });

  it('uses each row’s own label and masks the true class out of the max (the official code’s two bugs)', () => {
    // Every other logit negative: max_{j≠y} must be −0.5, not the 0 the official mask-by-multiplication returns.
    const z = [
      [0.2, -0.5, -0.9],
      [-0.7, 0.1, -0.6],
    ];
    const y = [0, 1];
    const cfg = { variant: 'hmm' as const, maxMargin: 0.5, gamma: 2, scale: 1 };
    const got = perExampleValues(maximumMargin, maximumMargin.prepare(cfg, [5, 5, 5]), z, y);
    expectAllClose(got, withShift(z, y, shifts(z, y, [0.5, 0.5, 0.5], 2), 1), TOL);
  });

  it('gradient: tf.grad of the mean matches central differences with the shift held fixed', () => {
    for (const cfg of [maximumMargin.defaults, { variant: 'hmm-ldam' as const, maxMargin: 0.5, gamma: 2, scale: 1 }]) {
      const b = boundaryRef(COUNTS, cfg.variant, cfg.maxMargin);
      const delta = shifts(ZC, Y, b, cfg.gamma);
      const numeric = finiteDifferenceGrad((z) => mean(withShift(z, Y, delta, cfg.scale)), ZC, 1e-6);
      expect(maxAbsDiff(gradOfMean(maximumMargin, maximumMargin.prepare(cfg, COUNTS), ZC, Y), numeric)).toBeLessThan(1e-3);
    }
  });

  it('rejects an unknown variant with the dotted path', () => {
    expect(decodeWith(MaximumMarginConfig, { ...maximumMargin.defaults, variant: 'mm' }, 'lossConfig')).toEqual(
      E.left('lossConfig.variant: expected "hmm" | "hmm-ldam", got "mm"'),
    );
  });
});
