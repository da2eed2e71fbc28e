import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { ldam, ldamMargins, LdamConfig } from '../../src/losses/ldam.js';
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
/** Cosine-like logits (|z| ≤ 1), what LDAM's normalised-linear head produces. */
const ZC: Matrix = Z.map((row) => row.map((v) => v / 2.5));

const marginsRef = (counts: readonly number[], maxMargin: number): number[] => {
  const raw = counts.map((n) => n ** -0.25);
  const top = Math.max(...raw);
  return raw.map((r) => (r * maxMargin) / top);
};
/** ℓ = CE(s·(z − m_y e_y), y) in float64. */
const reference = (z: Matrix, y: readonly number[], m: readonly number[], s: number): number[] =>
  z.map((row, i) => nll(row.map((v, j) => s * (j === y[i] ? v - m[y[i]!]! : v)), y[i]!));

beforeAll(async () => {
  await initBackend('cpu');
});

describe('ldamMargins', () => {
  it('golden: CIFAR-10-LT ρ = 100 counts with max_m = 0.5 (numpy-pinned, LDAM-DRW losses.py)', () => {
    // python3: m = 1/np.sqrt(np.sqrt(n)); m*(0.5/m.max())
    const pinned = [
      0.15811388300841897, 0.17969699708724132, 0.20423770530101681, 0.2320911495481279, 0.26382902758929516,
      0.29976765058324534, 0.34067519187733264, 0.3872209136604282, 0.44049702771594634, 0.5,
    ];
    expectAllClose(ldamMargins([5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50], 0.5), pinned, 1e-12);
    expectAllClose(ldamMargins(COUNTS, 0.5), [0.20808957251439086, 0.26165878484802635, 0.37004140224614257, 0.5], 1e-12);
  });
});

describe('ldam', () => {
  it('defaults to max_m = 0.5, s = 30 (LDAM-DRW losses.py)', () => {
    expect(ldam.defaults).toEqual({ maxMargin: 0.5, scale: 30 });
  });

  it('golden: defaults and (max_m 0.3, s 10) on cosine logits (numpy-pinned)', () => {
    // python3: Zm = Z/2.5; Zm[i, y_i] -= m[y_i]; ce(s*Zm)
    const a = perExampleValues(ldam, ldam.prepare(ldam.defaults, COUNTS), ZC, Y);
    expectAllClose(a, [7.896265039164518e-6, 1.215310342303873, 25.849763545446823], TOL);
    const b = perExampleValues(ldam, ldam.prepare({ maxMargin: 0.3, scale: 10 }, COUNTS), ZC, Y);
    expectAllClose(b, [0.010350903211974405, 0.25165627832128656, 7.570514908286169], TOL);
    expectAllClose(b, reference(ZC, Y, marginsRef(COUNTS, 0.3), 10), TOL);
  });

  it('golden: the margin goes on the true class only (a wrong-class margin would change example 0)', () => {
    const got = perExampleValues(ldam, ldam.prepare({ maxMargin: 0.5, scale: 1 }, COUNTS), Z, Y);
    expectAllClose(got, reference(Z, Y, marginsRef(COUNTS, 0.5), 1), TOL);
  });

  it('gradient: tf.grad of the mean matches central differences (s = 30 and s = 1)', () => {
    for (const config of [ldam.defaults, { maxMargin: 0.5, scale: 1 }]) {
      const prepared = ldam.prepare(config, COUNTS);
      const m = marginsRef(COUNTS, config.maxMargin);
      const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, m, config.scale)), ZC, 1e-6);
      expect(maxAbsDiff(gradOfMean(ldam, prepared, ZC, Y), numeric)).toBeLessThan(1e-3);
    }
  });

  it('rejects scale 0 with the dotted path', () => {
    expect(decodeWith(LdamConfig, { maxMargin: 0.5, scale: 0 }, 'lossConfig')).toEqual(
      E.left('lossConfig.scale: expected a positive number, got 0'),
    );
  });

  it('rejects a missing field', () => {
    expect(decodeWith(LdamConfig, { scale: 30 })).toEqual(E.left('maxMargin: expected a number ≥ 0, got nothing'));
  });
});
