import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { decodeWith } from '../../src/config/report.js';
import {
  parametricCrossEntropy,
  parametricCrossEntropyPerExample,
  ParametricCrossEntropyConfig,
} from '../../src/losses/parametric-cross-entropy.js';
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
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** −w_y log softmax(Δ ⊙ z + l)_y in float64, Δ = sigmoid(dy) or dy. */
const reference = (z: Matrix, y: readonly number[], dy: readonly number[], ly: readonly number[], wy: readonly number[], useSigmoid: boolean): number[] =>
  z.map((row, i) => wy[y[i]!]! * nll(row.map((v, j) => v * (useSigmoid ? sigmoid(dy[j]!) : dy[j]!) + ly[j]!), y[i]!));

beforeAll(async () => {
  await initBackend('cpu');
});

describe('parametricCrossEntropy (AutoBalance)', () => {
  it('takes found per-class values instead of the initialisations, and refuses a wrong number of them', () => {
    const values = { dy: [0.5, 1, 1.5, 2], ly: [0.3, 0, -0.2, -1] };
    const p = parametricCrossEntropy.prepare({ ...parametricCrossEntropy.defaults, lyInit: 'logit-adjustment', values }, COUNTS);
    expect(p).toEqual({ parametrisation: 'sigmoid', ...values, wy: [1, 1, 1, 1] });
    expectAllClose(perExampleValues(parametricCrossEntropy, p, Z, Y), reference(Z, Y, values.dy, values.ly, [1, 1, 1, 1], true), TOL);
    expect(() => parametricCrossEntropy.prepare({ ...parametricCrossEntropy.defaults, values: { dy: [1], ly: [0, 0, 0, 0] } }, COUNTS)).toThrow(
      'autobalance: lossConfig.values has 1 dy and 4 ly values for 4 classes.',
    );
    // A config without the field decodes with values null.
    expect(decodeWith(ParametricCrossEntropyConfig, { parametrisation: 'raw', dyInit: 'cdt', lyInit: 'zeros', gamma: 0.3, tau: 1 })).toEqual(
      E.right({ parametrisation: 'raw', dyInit: 'cdt', lyInit: 'zeros', gamma: 0.3, tau: 1, values: null }),
    );
  });

  it('defaults to sigmoid(dy) with dy = 1, ly = 0, wy = 1 (configs/cifar10/dyly_no_init/1.yaml)', () => {
    expect(parametricCrossEntropy.defaults).toEqual({ parametrisation: 'sigmoid', dyInit: 'ones', lyInit: 'zeros', gamma: 0.3, tau: 1, values: null });
    const p = parametricCrossEntropy.prepare(parametricCrossEntropy.defaults, COUNTS);
    expect(p).toEqual({ parametrisation: 'sigmoid', dy: [1, 1, 1, 1], ly: [0, 0, 0, 0], wy: [1, 1, 1, 1] });
  });

  it('golden: defaults are CE on sigmoid(1)·z (numpy-pinned)', () => {
    // python3: ce(Z / (1 + exp(-1)))
    const got = perExampleValues(parametricCrossEntropy, parametricCrossEntropy.prepare(parametricCrossEntropy.defaults, COUNTS), Z, Y);
    expectAllClose(got, [0.5276192611807977, 0.7187340070316486, 1.5527942651094775], TOL);
  });

  it('golden: raw CDT + logit-adjustment initialisation is the VS loss (numpy-pinned VS values)', () => {
    const cfg = { parametrisation: 'raw' as const, dyInit: 'cdt' as const, lyInit: 'logit-adjustment' as const, gamma: 0.3, tau: 1, values: null };
    const got = perExampleValues(parametricCrossEntropy, parametricCrossEntropy.prepare(cfg, COUNTS), Z, Y);
    expectAllClose(got, [0.04585008116753442, 3.6494768973874567, 0.6546968323914445], TOL);
  });

  it('golden: tensors passed in (learned dy, ly, wy) give −w_y log softmax(sigmoid(dy)·z + ly)_y', () => {
    const dy = [0.3, -1, 2, 0.5];
    const ly = [0.1, -0.2, 0.4, 1];
    const wy = [1, 0.5, 2, 3];
    const got = tf.tidy(() =>
      Array.from(
        parametricCrossEntropyPerExample(tf.tensor2d(Z), tf.tensor1d(Y, 'int32'), { dy: tf.tensor1d(dy), ly: tf.tensor1d(ly), wy: tf.tensor1d(wy) }).dataSync(),
      ),
    );
    expectAllClose(got, reference(Z, Y, dy, ly, wy, true), TOL);
  });

  it('gradient with respect to the logits matches central differences', () => {
    const cfg = { ...parametricCrossEntropy.defaults, lyInit: 'logit-adjustment' as const };
    const p = parametricCrossEntropy.prepare(cfg, COUNTS);
    const numeric = finiteDifferenceGrad((z) => mean(reference(z, Y, p.dy, p.ly, p.wy, true)), Z);
    expect(maxAbsDiff(gradOfMean(parametricCrossEntropy, p, Z, Y), numeric)).toBeLessThan(1e-3);
  });

  it('gradient with respect to dy, ly and wy (what a bilevel optimiser needs) matches central differences', () => {
    const dy = [0.3, -1, 2, 0.5];
    const ly = [0.1, -0.2, 0.4, 1];
    const wy = [1, 0.5, 2, 3];
    const grads = tf.tidy(() => {
      const f = (d: tf.Tensor, l: tf.Tensor, w: tf.Tensor) =>
        tf.mean(parametricCrossEntropyPerExample(tf.tensor2d(Z), tf.tensor1d(Y, 'int32'), { dy: d as tf.Tensor1D, ly: l as tf.Tensor1D, wy: w as tf.Tensor1D }));
      return tf.grads(f)([tf.tensor1d(dy), tf.tensor1d(ly), tf.tensor1d(wy)]).map((g) => Array.from(g.dataSync()));
    });
    const numeric = finiteDifferenceGrad(([d, l, w]) => mean(reference(Z, Y, d!, l!, w!, true)), [dy, ly, wy]);
    expect(maxAbsDiff(grads, numeric)).toBeLessThan(1e-3);
  });

  it('rejects an unknown initialisation with the dotted path', () => {
    expect(decodeWith(ParametricCrossEntropyConfig, { ...parametricCrossEntropy.defaults, dyInit: 'Ones' }, 'lossConfig')).toEqual(
      E.left('lossConfig.dyInit: expected "ones" | "cdt", got "Ones"'),
    );
  });
});
