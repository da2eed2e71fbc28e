import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import * as E from 'fp-ts/lib/Either.js';
import { ABSGD_DEFAULTS, ABSGD_START, absgdReduce, absgdStepFunction, createAbsgd, decodeAbsgdState, encodeAbsgdState, twoStageLambda } from '../../src/train/absgd.js';
import { UserError } from '../../src/core/errors.js';
import { trainStep, type TrainState } from '../../src/train/step.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { expectClose } from '../helpers/expect-close.js';
import { halfSquare, quadraticModel, vectorBatch } from './helpers/quadratic-model.js';

const weighting = { gamma: 0.1, alpha: 0.5 };
const run = (losses: number[], lambda: number, logU = -Infinity) =>
  tf.tidy(() => {
    const r = absgdReduce(tf.tensor1d(losses), lambda, weighting, { logU });
    return { loss: r.loss.dataSync()[0]!, weights: Array.from(r.weights.dataSync()), logU: r.state.logU };
  });

describe('absgdReduce', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('weights p_i = e_i/(u·B) with u ← (1 − γ)u + γ·α·mean(e), starting from u = 0', () => {
    const l1 = [1, 2, 3];
    const e1 = l1.map((l) => Math.exp(l / 2));
    const u1 = 0.1 * 0.5 * (e1.reduce((a, b) => a + b) / 3);
    const first = run(l1, 2);
    expect(Math.exp(first.logU)).toBeCloseTo(u1, 6);
    expectClose(first.weights, e1.map((e) => e / (u1 * 3)), 1e-5);
    expect(first.loss).toBeCloseTo(l1.reduce((s, l, i) => s + l * first.weights[i]!, 0), 4);
    // Second batch: the moving average carries over.
    const l2 = [0.5, 0.5, 4];
    const e2 = l2.map((l) => Math.exp(l / 2));
    const u2 = 0.9 * u1 + 0.05 * (e2.reduce((a, b) => a + b) / 3);
    const second = run(l2, 2, first.logU);
    expect(Math.exp(second.logU)).toBeCloseTo(u2, 6);
    expectClose(second.weights, e2.map((e) => e / (u2 * 3)), 1e-5);
  });

  it('λ ≥ 200 is the plain mean and leaves the normaliser alone (stage 1 of the official code)', () => {
    const r = run([1, 2, 6], 200, -Infinity);
    expect(r.loss).toBeCloseTo(3, 6);
    expectClose(r.weights, [1 / 3, 1 / 3, 1 / 3], 1e-7);
    expect(r.logU).toBe(-Infinity);
  });

  it('the weights carry no gradient: ∂loss/∂ℓ_i = p_i', () => {
    const losses = tf.tensor1d([0.3, 1.2, 2.5]);
    const p = tf.tidy(() => absgdReduce(losses, 1, weighting, ABSGD_START).weights.dataSync().slice());
    const g = tf.tidy(() => tf.grad((l: tf.Tensor) => absgdReduce(l as tf.Tensor1D, 1, weighting, ABSGD_START).loss)(losses).dataSync().slice());
    expectClose(g, p, 1e-6);
    losses.dispose();
  });

  it('stays finite where exp(ℓ/λ) overflows float32', () => {
    const r = run([100, 99, 1], 0.5);
    expect(r.weights.every(Number.isFinite)).toBe(true);
    // First step: Σ p = mean(e)/u = 1/(γ·α) = 20, almost all of it on the two hardest examples.
    expect(r.weights.reduce((a, b) => a + b)).toBeCloseTo(20, 3);
    expect(r.weights[2]).toBeLessThan(1e-30);
  });

  it('Σ p tends to 1/α when the losses stay the same', () => {
    let logU = -Infinity;
    let sum = 0;
    for (let t = 0; t < 300; t++) {
      const r = run([0.5, 1, 1.5, 2], 1, logU);
      logU = r.logU;
      sum = r.weights.reduce((a, b) => a + b);
    }
    expect(sum).toBeCloseTo(2, 6);
  });

  it('refuses λ = 0 and γ, α out of range', () => {
    const l = tf.tensor1d([1]);
    expect(() => absgdReduce(l, 0, weighting, ABSGD_START)).toThrow('absgdReduce: λ must be a non-zero number, got 0');
    expect(() => absgdReduce(l, 1, { gamma: 0, alpha: 1 }, ABSGD_START)).toThrow('absgdReduce: γ must be in (0, 1], got 0');
    expect(() => absgdReduce(l, 1, { gamma: 0.5, alpha: -1 }, ABSGD_START)).toThrow('absgdReduce: α must be a positive number, got -1');
    l.dispose();
  });
});

describe('twoStageLambda', () => {
  it('switches λ at the given 0-based epoch (train.py: epoch >= lamda_shots)', () => {
    const lambda = twoStageLambda({ stage1: 200, stage2: 5, switchEpoch: 160 });
    expect([0, 159, 160, 199].map(lambda)).toEqual([200, 200, 5, 5]);
  });
});

describe('createAbsgd', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('defaults to train.py’s settings and multiplies class weights in before the exponential', () => {
    const absgd = createAbsgd();
    expect(absgd.config).toEqual(ABSGD_DEFAULTS);
    expect([0, 160].map(absgd.lambdaAt)).toEqual([10, 1]);
    const got = tf.tidy(() => absgd.reducerAt(200)(tf.tensor1d([1, 2]), tf.tensor1d([2, 0.5])).dataSync()[0]!);
    const expected = run([2, 1], 1);
    expect(got).toBeCloseTo(expected.loss, 5);
    expect(absgd.state().logU).toBeCloseTo(expected.logU, 6);
    absgd.restore(ABSGD_START);
    expect(absgd.state()).toEqual(ABSGD_START);
  });

  it('as fit’s step: stage 1 (λ ≥ 200) is exactly the plain mean step; stage 2 advances the normaliser; no tensor leaks', () => {
    const stateOf = (): TrainState => {
      const model = quadraticModel([1, -1]);
      return { model, loss: halfSquare, prepared: null, reduction: 'mean', optimizer: createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 0 }) };
    };
    const batch = vectorBatch([[1, 2], [3, 0.5]], [0, 1]);
    const absgd = createAbsgd({ stage1Lambda: 200, stage2Lambda: 2, switchEpoch: 1 });
    const step = absgdStepFunction(absgd);
    const a = stateOf();
    const b = stateOf();
    step(a, batch, 0.01, 0);
    trainStep(b, batch, 0.01);
    expect(Array.from(a.model.variables.trainable.get('w')!.dataSync())).toEqual(Array.from(b.model.variables.trainable.get('w')!.dataSync()));
    expect(absgd.state()).toEqual(ABSGD_START);
    const before = tf.memory().numTensors;
    step(a, batch, 0.01, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(absgd.state().logU)).toBe(true);
    for (const s of [a, b]) {
      s.optimizer.dispose();
      s.model.dispose();
    }
  });

  it('a step that throws leaves the normaliser where it was (a skipped batch does not move u)', () => {
    const absgd = createAbsgd({ stage1Lambda: 2, stage2Lambda: 2, switchEpoch: 0 }, { logU: 0.25 });
    const failing = absgdStepFunction(absgd, (state) => {
      tf.tidy(() => state.reducer!(tf.tensor1d([1, 2]), undefined));
      throw new UserError('numeric', 'The ce loss became NaN.', 3);
    });
    expect(absgd.state()).toEqual({ logU: 0.25 });
    expect(() => failing({} as TrainState, vectorBatch([[0, 0]], [0]), 0.1, 0)).toThrow('The ce loss became NaN.');
    expect(absgd.state()).toEqual({ logU: 0.25 });
  });
});

describe('ABSGD state in checkpoints', () => {
  it('round-trips through JSON exactly, u = 0 as null, and refuses anything else', () => {
    for (const s of [ABSGD_START, { logU: -3.0000000000000004 }, { logU: 12.5 }]) {
      expect(decodeAbsgdState(JSON.parse(JSON.stringify(encodeAbsgdState(s))))).toEqual(E.right(s));
    }
    expect(encodeAbsgdState(ABSGD_START)).toEqual({ logU: null });
    expect(decodeAbsgdState({ logU: 'x' })).toEqual(E.left('ABSGD\'s state must be { logU: a finite number or null }, got {"logU":"x"}'));
    expect(E.isLeft(decodeAbsgdState(undefined))).toBe(true);
  });
});
