import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { dbnMixLoss, dbnMixTemperatures, DbnMixLossConfig } from '../../src/losses/dbn-mix.js';
import { COUNTS, Y, Z, expectAllClose, finiteDifferenceGrad, gradOfMean, logSumExp, maxAbsDiff, mean, perExampleValues, type Matrix } from './helpers/reference.js';

const TOL = 1e-5;

/** φ in float64 from the formula. */
const temperaturesRef = (counts: readonly number[], eps: number, eta: number): number[] => {
  const nMax = Math.max(...counts);
  const raw = counts.map((n) => eps * counts.length * (n / nMax) + (1 - eps));
  return raw.map((r) => (Math.max(...raw) / r) ** (1 / eta));
};
/** ℓ = −log p_y − Σ_{k≠y} log(1 − p_k), p = softmax(z/φ), in float64. */
const reference = (z: Matrix, y: readonly number[], phi: readonly number[]): number[] =>
  z.map((row, i) => {
    const u = row.map((v, k) => v / phi[k]!);
    const lse = logSumExp(u);
    const p = u.map((v) => Math.exp(v - lse));
    return -Math.log(p[y[i]!]!) - p.reduce((s, pk, k) => (k === y[i] ? s : s + Math.log(1 - pk)), 0);
  });

beforeAll(async () => {
  await initBackend('cpu');
});

describe('dbnMixTemperatures', () => {
  it('golden: φ for counts [100, 40, 10, 3] with ε 0.6, η 3 (numpy-pinned); the head gets 1, the tail the most', () => {
    const phi = dbnMixTemperatures(COUNTS, 0.6, 3);
    expectAllClose(phi, [1, 1.272154058144683, 1.6355331550942949, 1.8102505060961047], 1e-12);
    expectAllClose(phi, temperaturesRef(COUNTS, 0.6, 3), 1e-12);
  });

  it('are all 1 with ε = 0 (no class dependence)', () => {
    expect(dbnMixTemperatures(COUNTS, 0, 3)).toEqual([1, 1, 1, 1]);
  });
});

describe('dbn-mix loss', () => {
  it('defaults to the CIFAR-10 experiment values ε 0.6, η 3 (DBN-Mix experiments/cifar10.sh)', () => {
    expect(dbnMixLoss.defaults).toEqual({ epsilon: 0.6, eta: 3 });
  });

  it('golden: defaults and (ε 0.05, η 7) (numpy-pinned), and the float64 formula', () => {
    const a = perExampleValues(dbnMixLoss, dbnMixLoss.prepare(dbnMixLoss.defaults, COUNTS), Z, Y);
    expectAllClose(a, [0.6242476152533099, 1.5547070851474065, 2.3822397349678983], TOL);
    const b = perExampleValues(dbnMixLoss, dbnMixLoss.prepare({ epsilon: 0.05, eta: 7 }, COUNTS), Z, Y);
    expectAllClose(b, [0.6667384074594561, 1.0276534593495432, 3.194043200167692], TOL);
    expectAllClose(b, reference(Z, Y, temperaturesRef(COUNTS, 0.05, 7)), TOL);
  });

  it('stays finite where p_k → 1 (log(1 − p_k) from a log-sum-exp over the other classes)', () => {
    const z = [[900, 0, 0, 0], [0, -900, 0, 900]];
    const got = perExampleValues(dbnMixLoss, dbnMixLoss.prepare({ epsilon: 0, eta: 1 }, COUNTS), z, [1, 3]);
    // Row 0: −log p_1 = 900, plus −log(1 − p_0) = 900 − log 3 (the other terms ≈ 0).
    expectAllClose(got, [1800 - Math.log(3), 0], 1e-3);
  });

  it('gradient: tf.grad of the mean matches central differences', () => {
    const phi = temperaturesRef(COUNTS, 0.6, 3);
    const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, phi)), Z, 1e-6);
    expect(maxAbsDiff(gradOfMean(dbnMixLoss, dbnMixLoss.prepare(dbnMixLoss.defaults, COUNTS), Z, Y), numeric)).toBeLessThan(1e-4);
  });

  it('rejects ε outside [0, 1] with the dotted path, and a single class in one sentence', () => {
    expect(decodeWith(DbnMixLossConfig, { epsilon: 1.5, eta: 3 }, 'lossConfig')).toEqual(E.left('lossConfig.epsilon: expected a number in [0, 1], got 1.5'));
    expect(() => dbnMixLoss.prepare(dbnMixLoss.defaults, [10])).toThrow('dbn-mix: needs at least 2 classes, got 1.');
  });
});
