import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { cri, CriConfig } from '../../src/losses/cri.js';
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
/** Cosine-like logits (|z| ≤ 1), what CRI's LDAM part expects. */
const ZC: Matrix = Z.map((row) => row.map((v) => v / 2.5));

const marginsRef = (counts: readonly number[], maxMargin: number): number[] => {
  const raw = counts.map((n) => Math.max(n, 1) ** -0.25);
  const top = Math.max(...raw);
  return raw.map((r) => (r * maxMargin) / top);
};
/** ℓ = κ·(1 − e^(−f/κ)), f = (1 − e^(−ce))^γ·ce, ce = CE(s·(z − m_y e_y)), in float64 (κ null: ℓ = f). */
const reference = (z: Matrix, y: readonly number[], config: CriConfig, counts: readonly number[] = COUNTS): number[] => {
  const m = marginsRef(counts, config.maxMargin);
  return z.map((row, i) => {
    const ce = nll(row.map((v, j) => config.scale * (j === y[i] ? v - m[y[i]!]! : v)), y[i]!);
    const f = (1 - Math.exp(-ce)) ** config.gamma * ce;
    return config.outlierCap === null ? f : config.outlierCap * (1 - Math.exp(-f / config.outlierCap));
  });
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('cri', () => {
  it('defaults to LDAM-DRW max_m = 0.5, s = 30, focal γ = 1, and an outlier cap κ = 20 (ours)', () => {
    expect(cri.defaults).toEqual({ maxMargin: 0.5, scale: 30, gamma: 1, outlierCap: 20 });
  });

  it('golden: defaults, (0.3, 10, γ 2, no cap) and κ = 5 on cosine logits (numpy-pinned) and the float64 formula', () => {
    // python3: ce = CE(s·(Z/2.5 − m_y e_y)); f = (1 − exp(−ce))**γ · ce; κ·(1 − exp(−f/κ))
    const cases: Array<[CriConfig, number[]]> = [
      [cri.defaults, [6.235012506294879e-11, 0.8368167456128028, 14.508265760326935]],
      [{ maxMargin: 0.3, scale: 10, gamma: 2, outlierCap: null }, [1.0975979327002097e-6, 0.012457221555568228, 7.562712824194269]],
      [{ ...cri.defaults, outlierCap: 5 }, [6.23506801744611e-11, 0.7857467296819026, 4.971575811729066]],
    ];
    for (const [config, pinned] of cases) {
      const got = perExampleValues(cri, cri.prepare(config, COUNTS), ZC, Y);
      expectAllClose(got, pinned, TOL);
      expectAllClose(got, reference(ZC, Y, config), TOL);
    }
  });

  it('golden: the cap bounds the hardest example (κ = 5 gives < 5 where the uncapped loss is 18.9)', () => {
    const uncapped = reference(ZC, Y, { ...cri.defaults, outlierCap: null });
    expect(uncapped[2]).toBeGreaterThan(18);
    const capped = perExampleValues(cri, cri.prepare({ ...cri.defaults, outlierCap: 5 }, COUNTS), ZC, Y);
    expect(capped[2]).toBeLessThan(5);
  });

  it('an empty class counts as one sample for its margin', () => {
    const counts = [100, 40, 10, 0];
    const got = perExampleValues(cri, cri.prepare(cri.defaults, counts), ZC, Y);
    expectAllClose(got, reference(ZC, Y, cri.defaults, counts), TOL);
  });

  it('gradient: tf.grad of the mean matches central differences (defaults, and γ 2 without cap at s = 1)', () => {
    for (const config of [cri.defaults, { maxMargin: 0.5, scale: 1, gamma: 2, outlierCap: null }] as CriConfig[]) {
      const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, config)), ZC, 1e-6);
      expect(maxAbsDiff(gradOfMean(cri, cri.prepare(config, COUNTS), ZC, Y), numeric)).toBeLessThan(1e-3);
    }
  });

  it('rejects an outlier cap of 0 with the dotted path', () => {
    expect(decodeWith(CriConfig, { ...cri.defaults, outlierCap: 0 }, 'lossConfig')).toEqual(
      E.left('lossConfig.outlierCap: expected a positive number, got 0'),
    );
  });
});
