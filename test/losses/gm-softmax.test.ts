import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { gmSoftmax, GmSoftmaxConfig } from '../../src/losses/gm-softmax.js';
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

const ZC: Matrix = Z.map((row) => row.map((v) => v / 2.5));

/** CE(s·z') with z'_y = cos(min(m1·arccos(clip z_y) + m2, π)) − m3, in float64. */
const reference = (z: Matrix, y: readonly number[], c: GmSoftmaxConfig): number[] =>
  z.map((row, i) => {
    const theta = Math.acos(Math.min(Math.max(row[y[i]!]!, -1 + 1e-7), 1 - 1e-7));
    const target = Math.cos(Math.min(c.angleScale * theta + c.angleMargin, Math.PI)) - c.cosineMargin;
    return nll(row.map((v, j) => c.scale * (j === y[i] ? target : v)), y[i]!);
  });

beforeAll(async () => {
  await initBackend('cpu');
});

describe('gmSoftmax', () => {
  it('defaults to CosFace: m = (1, 0, 0.35), s = 64', () => {
    expect(gmSoftmax.defaults).toEqual({ angleScale: 1, angleMargin: 0, cosineMargin: 0.35, scale: 64 });
  });

  it('golden: CosFace, ArcFace, SphereFace (clamped at π for example 1) and a combined margin (numpy-pinned)', () => {
    // python3: θ = arccos(clip(z_y)); z_y ← cos(min(m1·θ + m2, π)) − m3; ce(s·z) on Z/2.5
    const cases: Array<[GmSoftmaxConfig, number[]]> = [
      [gmSoftmax.defaults, [1.1253918685838471e-7, 0.0002623925553635331, 60.800000000000004]],
      [{ angleScale: 1, angleMargin: 0.5, cosineMargin: 0, scale: 64 }, [1.0977462707728591e-6, 0.22078949092850841, 70.04962558276677]],
      [{ angleScale: 2, angleMargin: 0, cosineMargin: 0, scale: 10 }, [0.43253582900293797, 4.559299022084471, 17.232046672163158]],
      [{ angleScale: 1.5, angleMargin: 0.3, cosineMargin: 0.1, scale: 16 }, [0.7243815739931945, 5.871434953285782, 25.486165834613956]],
    ];
    for (const [config, pinned] of cases) {
      const got = perExampleValues(gmSoftmax, gmSoftmax.prepare(config, COUNTS), ZC, Y);
      // 1e-4 absolute: float32 arccos/cos of the target, times s up to 64.
      expectAllClose(got, pinned, 1e-4);
      expectAllClose(got, reference(ZC, Y, config), 1e-4);
    }
  });

  it('gradient: tf.grad of the mean matches central differences (ArcFace and SphereFace margins)', () => {
    const configs: GmSoftmaxConfig[] = [
      { angleScale: 1, angleMargin: 0.5, cosineMargin: 0, scale: 8 },
      { angleScale: 2, angleMargin: 0, cosineMargin: 0.1, scale: 4 },
    ];
    for (const config of configs) {
      const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, config)), ZC, 1e-6);
      expect(maxAbsDiff(gradOfMean(gmSoftmax, gmSoftmax.prepare(config, COUNTS), ZC, Y), numeric)).toBeLessThan(1e-3);
    }
  });

  it('rejects an angle scale below 1 with the dotted path', () => {
    expect(decodeWith(GmSoftmaxConfig, { ...gmSoftmax.defaults, angleScale: 0.5 }, 'lossConfig')).toEqual(
      E.left('lossConfig.angleScale: expected a number ≥ 1, got 0.5'),
    );
  });
});
