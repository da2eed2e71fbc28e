import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { autoBalanceHypergradient, balancedValWeights } from '../../src/train/autobalance-hypergradient.js';
import { expectClose } from '../helpers/expect-close.js';

// A tiny linear classifier: D = 3 features, C = 3 classes, 5 training and 4 validation samples.
const W = [
  [0.3, -0.2, 0.1],
  [-0.4, 0.5, 0.2],
  [0.1, 0.3, -0.6],
];
const b = [0.05, -0.1, 0.2];
const hTrain = [
  [1, 0.5, -0.3],
  [0.2, -1, 0.8],
  [-0.7, 0.4, 1.1],
  [0.9, 0.9, 0.1],
  [-0.2, -0.6, -0.5],
];
const yTrain = [0, 1, 2, 0, 0];
const hVal = [
  [0.4, -0.3, 0.6],
  [-1, 0.2, 0.3],
  [0.5, 0.8, -0.9],
  [0.1, 0.1, 0.1],
];
const yVal = [2, 1, 0, 2];
const valCounts = [1, 1, 2];
const eta = 0.7;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logSoftmax = (a: number[]) => {
  const m = Math.max(...a);
  const lse = m + Math.log(a.reduce((s, x) => s + Math.exp(x - m), 0));
  return a.map((x) => x - lse);
};
const logits = (h: number[], w: number[][], bias: number[]) => bias.map((bj, j) => bj + h.reduce((s, hd, d) => s + hd * w[d]![j]!, 0));

/** Float64 L_train(W, b; Δ, l): mean −log softmax(Δ ⊙ z + l)_y. */
const trainLoss = (w: number[][], bias: number[], delta: number[], l: number[]) =>
  hTrain.reduce((s, h, i) => s - logSoftmax(logits(h, w, bias).map((z, j) => delta[j]! * z + l[j]!))[yTrain[i]!]!, 0) / hTrain.length;

/** Float64 ∇_{W,b} L_train by central differences (independent of the closed form in the code). */
const trainGrad = (delta: number[], l: number[]) => {
  const eps = 1e-6;
  const gW = W.map((row, d) =>
    row.map((_, j) => {
      const plus = W.map((r) => [...r]);
      const minus = W.map((r) => [...r]);
      plus[d]![j]! += eps;
      minus[d]![j]! -= eps;
      return (trainLoss(plus, b, delta, l) - trainLoss(minus, b, delta, l)) / (2 * eps);
    }),
  );
  const gb = b.map((_, j) => {
    const plus = [...b];
    const minus = [...b];
    plus[j]! += eps;
    minus[j]! -= eps;
    return (trainLoss(W, plus, delta, l) - trainLoss(W, minus, delta, l)) / (2 * eps);
  });
  return { gW, gb };
};

/** Float64 L_val(W − η∇W, b − η∇b) with ω_c = (N/n_c)/‖N/n‖₂ and the weighted mean Σω·CE/Σω. */
const lookaheadLoss = (dyGroups: number[], lyGroups: number[], groupOf: number[], parametrisation: 'sigmoid' | 'raw') => {
  const delta = groupOf.map((g) => (parametrisation === 'sigmoid' ? sigmoid(dyGroups[g]!) : dyGroups[g]!));
  const l = groupOf.map((g) => lyGroups[g]!);
  const { gW, gb } = trainGrad(delta, l);
  const w2 = W.map((row, d) => row.map((x, j) => x - eta * gW[d]![j]!));
  const b2 = b.map((x, j) => x - eta * gb[j]!);
  const total = valCounts.reduce((s, n) => s + n, 0);
  const raw = valCounts.map((n) => total / n);
  const norm = Math.hypot(...raw);
  const omega = raw.map((r) => r / norm);
  let num = 0;
  let den = 0;
  hVal.forEach((h, i) => {
    const y = yVal[i]!;
    num += omega[y]! * -logSoftmax(logits(h, w2, b2))[y]!;
    den += omega[y]!;
  });
  return num / den;
};

/** Central differences of the lookahead loss in each group's dy and ly. */
const referenceHypergradient = (dy: number[], ly: number[], groupOf: number[], parametrisation: 'sigmoid' | 'raw') => {
  const eps = 1e-4;
  const along = (which: 'dy' | 'ly') =>
    dy.map((_, g) => {
      const shift = (s: number) => (which === 'dy' ? [dy.map((x, k) => (k === g ? x + s : x)), ly] : [dy, ly.map((x, k) => (k === g ? x + s : x))]) as [number[], number[]];
      return (lookaheadLoss(...shift(eps), groupOf, parametrisation) - lookaheadLoss(...shift(-eps), groupOf, parametrisation)) / (2 * eps);
    });
  return { dy: along('dy'), ly: along('ly'), value: lookaheadLoss(dy, ly, groupOf, parametrisation) };
};

const hypergradientOf = (dy: number[], ly: number[], groupOf: number[], parametrisation: 'sigmoid' | 'raw', withBias = true) =>
  tf.tidy(() =>
    autoBalanceHypergradient({
      train: { features: tf.tensor2d(hTrain), labels: tf.tensor1d(yTrain, 'int32') },
      val: { features: tf.tensor2d(hVal), labels: tf.tensor1d(yVal, 'int32') },
      valWeights: tf.tensor1d(balancedValWeights(valCounts)),
      classifier: { kernel: tf.tensor2d(W), ...(withBias ? { bias: tf.tensor1d(b) } : {}) },
      dy: tf.tensor1d(dy),
      ly: tf.tensor1d(ly),
      groupOf: Int32Array.from(groupOf),
      parametrisation,
      lookahead: eta,
    }),
  );

describe('autoBalanceHypergradient', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('matches central finite differences of the float64 lookahead loss (sigmoid Δ, one class per group)', () => {
    const dy = [1, 0.4, -0.3];
    const ly = [0.2, -0.5, 0.1];
    const ref = referenceHypergradient(dy, ly, [0, 1, 2], 'sigmoid');
    const got = hypergradientOf(dy, ly, [0, 1, 2], 'sigmoid');
    // The signal is not trivially small: some component above 1e-2.
    expect(Math.max(...ref.dy.map(Math.abs), ...ref.ly.map(Math.abs))).toBeGreaterThan(1e-2);
    expectClose(got.dy, ref.dy, 3e-6);
    expectClose(got.ly, ref.ly, 3e-6);
    expect(got.valLoss).toBeCloseTo(ref.value, 5);
  });

  it('sums the classes of a group (two groups over three classes, raw Δ)', () => {
    const dy = [0.8, 1.3];
    const ly = [-0.2, 0.4];
    const ref = referenceHypergradient(dy, ly, [1, 0, 1], 'raw');
    const got = hypergradientOf(dy, ly, [1, 0, 1], 'raw');
    expectClose(got.dy, ref.dy, 3e-6);
    expectClose(got.ly, ref.ly, 3e-6);
  });

  it('refuses a group map of the wrong length or with a group outside dy', () => {
    expect(() => hypergradientOf([1, 1], [0, 0], [0, 1], 'sigmoid')).toThrow('autoBalanceHypergradient: groupOf has 2 entries for 3 classes');
    expect(() => hypergradientOf([1, 1], [0, 0], [0, 1, 2], 'sigmoid')).toThrow('autoBalanceHypergradient: group 2 is outside 0..1');
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    hypergradientOf([1, 0, 0], [0, 0, 0], [0, 1, 2], 'sigmoid');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('balancedValWeights', () => {
  it('is (N/n_c)/‖N/n‖₂, 0 for a class without validation samples', () => {
    // N = 14: raw 14/10, 14/4, 0 → norm √(1.96 + 12.25).
    const norm = Math.sqrt(1.4 ** 2 + 3.5 ** 2);
    expectClose(balancedValWeights([10, 4, 0]), [1.4 / norm, 3.5 / norm, 0], 1e-15);
  });
});
