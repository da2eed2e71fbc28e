import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { pal, PalConfig } from '../../src/losses/pal.js';
import { simplexEtfPrototypes } from '../../src/models/fixed-prototypes.js';
import { cosineLogits } from '../../src/models/cosine-head.js';
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

const marginsRef = (counts: readonly number[], maxMargin: number): number[] => {
  const raw = counts.map((n) => Math.max(n, 1) ** -0.25);
  const top = Math.max(...raw);
  return raw.map((r) => (r * maxMargin) / top);
};
/** ℓ = CE(s·(z − m_y e_y)) with m = LDAM margins ('ldam') or 0 ('ce'), in float64. */
const reference = (z: Matrix, y: readonly number[], config: PalConfig): number[] => {
  const m = config.base === 'ldam' ? marginsRef(COUNTS, config.maxMargin) : COUNTS.map(() => 0);
  return z.map((row, i) => nll(row.map((v, j) => config.scale * (j === y[i] ? v - m[y[i]!]! : v)), y[i]!));
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('pal', () => {
  it("defaults to base 'ldam' with LDAM-DRW's max_m = 0.5, s = 30", () => {
    expect(pal.defaults).toEqual({ base: 'ldam', maxMargin: 0.5, scale: 30 });
  });

  it('golden: ldam and ce bases on cosine logits (numpy-pinned) and the float64 formula', () => {
    // python3: m = LDAM margins (0 for 'ce'); ce(s·(Z/2.5 − m_y e_y))
    const cases: Array<[PalConfig, number[]]> = [
      [pal.defaults, [7.896265039164518e-6, 1.215310342303873, 25.849763545446823]],
      [{ base: 'ce', maxMargin: 0.5, scale: 30 }, [1.535531879426344e-8, 7.253981983978974e-7, 18.000000015230075]],
      [{ base: 'ldam', maxMargin: 0.3, scale: 10 }, [0.010350903211974405, 0.25165627832128656, 7.570514908286169]],
    ];
    for (const [config, pinned] of cases) {
      const got = perExampleValues(pal, pal.prepare(config, COUNTS), ZC, Y);
      expectAllClose(got, pinned, TOL);
      expectAllClose(got, reference(ZC, Y, config), TOL);
    }
  });

  it('the documented construction: cosines of features to simplex-ETF prototypes, then the loss', () => {
    // 4 classes in D = 3: unit prototypes with pairwise cosine −1/3.
    const features: Matrix = [
      [0.9, -0.2, 0.4],
      [-0.5, 1.1, 0.3],
      [0.2, 0.3, -1.4],
    ];
    const protos = simplexEtfPrototypes(4, 3);
    const col = (j: number): number[] => [0, 1, 2].map((d) => protos[d * 4 + j]!);
    const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(dot(col(i), col(j))).toBeCloseTo(i === j ? 1 : -1 / 3, 6);
    const cosRef: Matrix = features.map((x) => [0, 1, 2, 3].map((j) => dot(x, col(j)) / Math.hypot(...x)));
    const got = tf.tidy(() => {
      const logits = cosineLogits(tf.tensor2d(features), tf.tensor2d(protos, [3, 4]));
      return Array.from(pal.perExample({ logits, labels: tf.tensor1d(Y, 'int32') }, pal.prepare(pal.defaults, COUNTS)).dataSync());
    });
    expectAllClose(got, reference(cosRef, Y, pal.defaults), 1e-4);
  });

  it('gradient: tf.grad of the mean matches central differences (both bases)', () => {
    for (const config of [pal.defaults, { base: 'ce', maxMargin: 0, scale: 5 }] as PalConfig[]) {
      const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, config)), ZC, 1e-6);
      expect(maxAbsDiff(gradOfMean(pal, pal.prepare(config, COUNTS), ZC, Y), numeric)).toBeLessThan(1e-3);
    }
  });

  it('rejects an unknown base with the dotted path', () => {
    expect(decodeWith(PalConfig, { ...pal.defaults, base: 'focal' }, 'lossConfig')).toEqual(
      E.left('lossConfig.base: expected "ce" | "ldam", got "focal"'),
    );
  });
});
