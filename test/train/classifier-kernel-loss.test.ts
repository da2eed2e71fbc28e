import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { createRng, draw } from '../../src/core/rng.js';
import { lmSoftmax } from '../../src/losses/lm-softmax.js';
import { crossEntropy as ce } from '../../src/losses/cross-entropy.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { classifierKernelOf, withClassifierKernel } from '../../src/train/classifier-kernel-loss.js';

const spec = { shape: { height: 28, width: 28, channels: 1 }, numClasses: 4, head: 'cosine' as const };
const counts = [40, 20, 10, 5];
const x = () => tf.tensor4d(draw(createRng(2), (d) => Float32Array.from({ length: 5 * 784 }, () => d.uniform()))[0], [5, 28, 28, 1]);
const labels = () => tf.tensor1d([0, 1, 2, 3, 0], 'int32');

describe('withClassifierKernel', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it("gives LM-Softmax's zero-centroid term the exact prototype form ‖mean_j w_j/‖w_j‖‖² (float64 from the kernel)", () => {
    const model = createSmallCnn(spec, createRng(1));
    const kernel = classifierKernelOf(model)!;
    expect(kernel.shape).toEqual([128, 4]);
    const k = Array.from(kernel.dataSync());
    const unitMean = Array.from({ length: 128 }, (_, d) => {
      let s = 0;
      for (let j = 0; j < 4; j++) {
        const norm = Math.hypot(...Array.from({ length: 128 }, (_, e) => k[e * 4 + j]!));
        s += k[d * 4 + j]! / norm;
      }
      return s / 4;
    });
    const rw = unitMean.reduce((s, v) => s + v * v, 0);
    const lambda = 0.5;
    const withPenalty = lmSoftmax.prepare({ scale: 64, divideByScale: true, sampleMarginWeight: 0, zeroCentroidWeight: lambda }, counts);
    const without = lmSoftmax.prepare({ scale: 64, divideByScale: true, sampleMarginWeight: 0, zeroCentroidWeight: 0 }, counts);
    const wrapped = withClassifierKernel(lmSoftmax, kernel);
    const [exact = [], plain = [], logitForm = []] = tf.tidy(() => {
      const { logits, features } = model.forward(x(), { training: true });
      const inputs = { logits, labels: labels(), features };
      return [wrapped.perExample(inputs, withPenalty), lmSoftmax.perExample(inputs, without), lmSoftmax.perExample(inputs, withPenalty)].map((t) =>
        Array.from(t.dataSync()),
      );
    });
    exact.forEach((v, i) => expect(v - plain[i]!).toBeCloseTo(lambda * rw, 5));
    // Without the kernel the loss falls back to its logit form, which differs.
    expect(logitForm.some((v, i) => Math.abs(v - exact[i]!) > 1e-4)).toBe(true);
    model.dispose();
  });

  it('the penalty reaches the kernel through the gradient; losses that ignore the kernel are unchanged; no kernel, no wrapper', () => {
    const model = createSmallCnn(spec, createRng(1));
    const kernel = classifierKernelOf(model)!;
    const prepared = lmSoftmax.prepare({ scale: 64, divideByScale: true, sampleMarginWeight: 0, zeroCentroidWeight: 1 }, counts);
    const loss = (l: typeof lmSoftmax) => () => tf.mean(l.perExample({ ...model.forward(x(), { training: true }), labels: labels() }, prepared)) as tf.Scalar;
    const gap = tf.tidy(() => {
      const g1 = tf.variableGrads(loss(withClassifierKernel(lmSoftmax, kernel)), [kernel]).grads[kernel.name]!;
      const g0 = tf.variableGrads(loss(lmSoftmax), [kernel]).grads[kernel.name]!;
      return tf.max(tf.abs(tf.sub(g1, g0))).dataSync()[0]!;
    });
    expect(gap).toBeGreaterThan(1e-6);
    const cePrepared = ce.prepare(ce.defaults, counts);
    const [a = [], b = []] = tf.tidy(() => {
      const inputs = { ...model.forward(x(), { training: true }), labels: labels() };
      return [withClassifierKernel(ce, kernel).perExample(inputs, cePrepared), ce.perExample(inputs, cePrepared)].map((t) => Array.from(t.dataSync()));
    });
    expect(a).toEqual(b);
    expect(withClassifierKernel(ce, undefined)).toBe(ce);
    model.dispose();
  });
});
