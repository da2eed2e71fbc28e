import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import { UserError } from '../../src/core/errors.js';
import {
  rescomClassWeights,
  rescomContrastivePerExample,
  rescomSupcon,
  RescomSupconConfig,
  type RescomSupconPrepared,
} from '../../src/losses/rescom-supcon.js';
import { COUNTS, expectAllClose, finiteDifferenceGrad, maxAbsDiff, mean, type Matrix } from './helpers/reference.js';
import { F, FY, FZ, KEYS_RAW, KEY_LABELS, anchorWeightsRef, supconRef, unit } from './helpers/contrastive-reference.js';

const TOL = 1e-5;

/** Registered loss values on host features (logits FZ are passed but unused). */
const values = (prepared: RescomSupconPrepared, f: Matrix, y: readonly number[]): number[] =>
  tf.tidy(() => {
    const out = rescomSupcon.perExample(
      { logits: tf.tensor2d(FZ.slice(0, f.length)), labels: tf.tensor1d([...y], 'int32'), features: tf.tensor2d(f) },
      prepared,
    );
    expect(out.shape).toEqual([f.length]);
    return Array.from(out.dataSync());
  });

/** Values with the class-balanced queue KEYS_RAW (normalised) and K_pos / K_neg mined keys. */
const withQueue = (prepared: RescomSupconPrepared, f: Matrix, positives: number, negatives: number): number[] =>
  tf.tidy(() =>
    Array.from(
      rescomContrastivePerExample(tf.tensor2d(f), tf.tensor1d(FY, 'int32'), prepared, {
        keys: tf.tensor2d(KEYS_RAW.map(unit)),
        keyLabels: tf.tensor1d(KEY_LABELS, 'int32'),
        positives,
        negatives,
      }).dataSync(),
    ),
  );

beforeAll(async () => {
  await initBackend('cpu');
});

describe('rescomClassWeights', () => {
  it('golden: mean(E)/E_c at β = 0.999 (numpy-pinned, SiamBS_SPM._cal_prior_weight_for_classes)', () => {
    const pinned = [0.3870210241920958, 0.9392719519097644, 3.7013558361461847, 12.29477091772167];
    expectAllClose(rescomClassWeights(COUNTS, 0.999), pinned, 1e-12);
    expectAllClose(rescomClassWeights(COUNTS, 0.9), anchorWeightsRef(COUNTS, 0.9), 1e-12);
  });

  it('β = 0 is all ones, β = 1 is mean(n)/n, an empty class counts as one sample', () => {
    expect(rescomClassWeights(COUNTS, 0)).toEqual([1, 1, 1, 1]);
    expectAllClose(rescomClassWeights(COUNTS, 1), COUNTS.map((n) => 153 / 4 / n), 1e-12);
    expect(rescomClassWeights([10, 0], 0.9)).toEqual(rescomClassWeights([10, 1], 0.9));
  });
});

describe('rescomSupcon (within batch)', () => {
  it('defaults to τ = 0.1 (logger.py) and β = 0.999 (SiamBS_SPM signature), and needs features', () => {
    expect(rescomSupcon.defaults).toEqual({ temperature: 0.1, effectiveNumBeta: 0.999 });
    expect(rescomSupcon.needs).toEqual(['features']);
  });

  it('golden: numpy transcription of builder.py + SiamBS_SPM (τ = 0.1, β = 0.999; τ = 0.5, β = 0) and the float64 formula', () => {
    const cases: Array<[number, number, number[]]> = [
      [0.1, 0.999, [0.0008079748607111388, 0.00024551475703700167, 0.0011625827339915525, 0, 0.007445098551448362]],
      [0.5, 0, [0.44484556268576875, 0.3056081531627288, 0.45232908985249737, 0, 0.5235772591798824]],
    ];
    for (const [temperature, beta, pinned] of cases) {
      const got = values(rescomSupcon.prepare({ temperature, effectiveNumBeta: beta }, COUNTS), F, FY);
      expectAllClose(got, pinned, TOL);
      expectAllClose(got, supconRef(F, FY, temperature, anchorWeightsRef(COUNTS, beta)), TOL);
    }
  });

  it('an anchor with no positive in the batch contributes exactly 0 (class 3 here; −0 as in the official code)', () => {
    expect(Math.abs(values(rescomSupcon.prepare(rescomSupcon.defaults, COUNTS), F, FY)[3]!)).toBe(0);
  });

  it('golden: with a class-balanced queue, K_pos = 1 hardest positive and K_neg = 2 hardest negatives (numpy-pinned)', () => {
    const prepared = rescomSupcon.prepare({ temperature: 0.5, effectiveNumBeta: 0.999 }, COUNTS);
    const got = withQueue(prepared, F, 1, 2);
    expectAllClose(got, [0.984251784273458, 2.050739576081054, 1.0113983195213343, 41.46062332033769, 1.9532494062595942], 1e-4);
    const queue = { keys: KEYS_RAW, keyLabels: KEY_LABELS, positives: 1, negatives: 2 };
    expectAllClose(got, supconRef(F, FY, 0.5, anchorWeightsRef(COUNTS, 0.999), queue), 1e-4);
  });

  it('gradient: tf.grad with respect to the features matches central differences, within batch and with a queue', () => {
    const prepared = rescomSupcon.prepare({ temperature: 0.5, effectiveNumBeta: 0.999 }, COUNTS);
    const w = anchorWeightsRef(COUNTS, 0.999);
    const analytic = tf.tidy(() => {
      const labels = tf.tensor1d(FY, 'int32');
      const logits = tf.tensor2d(FZ);
      const g = tf.grad((f: tf.Tensor) => tf.mean(rescomSupcon.perExample({ logits, labels, features: f as tf.Tensor2D }, prepared)));
      return g(tf.tensor2d(F)).arraySync() as Matrix;
    });
    expect(maxAbsDiff(analytic, finiteDifferenceGrad((f) => mean(supconRef(f, FY, 0.5, w)), F))).toBeLessThan(1e-3);

    const mined = tf.tidy(() => {
      const labels = tf.tensor1d(FY, 'int32');
      const keys = tf.tensor2d(KEYS_RAW.map(unit));
      const keyLabels = tf.tensor1d(KEY_LABELS, 'int32');
      const g = tf.grad((f: tf.Tensor) =>
        tf.mean(rescomContrastivePerExample(f as tf.Tensor2D, labels, prepared, { keys, keyLabels, positives: 1, negatives: 2 })),
      );
      return g(tf.tensor2d(F)).arraySync() as Matrix;
    });
    const queue = { keys: KEYS_RAW, keyLabels: KEY_LABELS, positives: 1, negatives: 2 };
    const numeric = finiteDifferenceGrad((f) => mean(supconRef(f, FY, 0.5, w, queue)), F);
    expect(maxAbsDiff(mined, numeric)).toBeLessThan(1e-2);
  });

  it('fails with a UserError when features are missing, and when the queue is too small for the mined counts', () => {
    const prepared = rescomSupcon.prepare(rescomSupcon.defaults, COUNTS);
    expect(() =>
      tf.tidy(() => rescomSupcon.perExample({ logits: tf.tensor2d(FZ), labels: tf.tensor1d(FY, 'int32') }, prepared)),
    ).toThrow(new UserError('bad-config', 'rescom-supcon needs the [N, D] features in its inputs, and none were given.'));
    expect(() => withQueue(prepared, F, 3, 1)).toThrow(/cannot give 3 hard positive\(s\) and 1 hard negative\(s\)/);
  });

  it('rejects a bad config with the dotted path', () => {
    expect(decodeWith(RescomSupconConfig, { ...rescomSupcon.defaults, temperature: 0 }, 'lossConfig')).toEqual(
      E.left('lossConfig.temperature: expected a positive number, got 0'),
    );
    expect(decodeWith(RescomSupconConfig, { ...rescomSupcon.defaults, effectiveNumBeta: 2 })).toEqual(
      E.left('effectiveNumBeta: expected a number in [0, 1], got 2'),
    );
  });
});
