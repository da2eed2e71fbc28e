/**
 * Contract every registered loss must keep: finite [N] output for finite logits up to |z| = 1e3,
 * the right shape for each reduction, no tensor leak, finite gradients, the same result twice.
 * A loss that declares `needs: ['features']` also gets deterministic [N, 8] features (and its
 * gradients are checked with respect to them too).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { losses } from '../../src/losses/registry.js';
import { reduceLoss, type Reduction } from '../../src/losses/reduce.js';
import { UserError } from '../../src/core/errors.js';

const COUNTS = [500, 120, 40, 9, 2];
const WITH_EMPTY_CLASS = [500, 120, 40, 9, 0];
const N = 6;
const C = COUNTS.length;
const LABELS = [0, 1, 2, 3, 4, 4];

/** Deterministic [N, 8] features, for losses that need them. */
const FEATURES = Array.from({ length: N }, (_, i) => Array.from({ length: 8 }, (_, d) => Math.cos(5 * i + 2 * d + 1)));
/** The optional inputs `spec` declares it needs (call inside a tidy scope). */
const extraInputs = (spec: { readonly needs?: readonly string[] }, features = FEATURES): { features?: tf.Tensor2D } =>
  spec.needs?.includes('features') === true ? { features: tf.tensor2d(features) } : {};

/** Deterministic logits of magnitude up to `scale`. */
const logitsOf = (scale: number): number[][] =>
  Array.from({ length: N }, (_, i) => Array.from({ length: C }, (_, j) => scale * Math.sin(7 * i + 3 * j + 1)));

beforeAll(async () => {
  await initBackend('cpu');
});

describe.each(losses.list().map((spec) => [spec.name, spec] as const))('loss %s', (_name, spec) => {
  const prepared = spec.prepare(spec.defaults, COUNTS);

  const run = (z: number[][], p: unknown = prepared): number[] =>
    tf.tidy(() => {
      const out = spec.perExample({ logits: tf.tensor2d(z), labels: tf.tensor1d(LABELS, 'int32'), ...extraInputs(spec) }, p);
      expect(out.shape).toEqual([N]);
      return Array.from(out.dataSync());
    });

  it('has a summary, a source and defaults its own codec accepts', () => {
    expect(spec.summary.length).toBeGreaterThan(0);
    expect(spec.source.length).toBeGreaterThan(0);
    expect(E.isRight(spec.configCodec.decode(spec.defaults))).toBe(true);
  });

  it('gives finite [N] values for finite logits up to |z| = 1e3', () => {
    for (const scale of [0, 1, 20, 1e3]) expect(run(logitsOf(scale)).every(Number.isFinite)).toBe(true);
  });

  it('stays finite when a class has no training samples', () => {
    expect(run(logitsOf(5), spec.prepare(spec.defaults, WITH_EMPTY_CLASS)).every(Number.isFinite)).toBe(true);
  });

  it('has the right shape for each reduction', () => {
    const shapes: Record<Reduction, number[]> = { none: [N], sum: [], mean: [], 'weighted-mean': [] };
    tf.tidy(() => {
      const per = spec.perExample(
        { logits: tf.tensor2d(logitsOf(3)), labels: tf.tensor1d(LABELS, 'int32'), ...extraInputs(spec) },
        prepared,
      );
      const weights = tf.tensor1d([1, 2, 0.5, 1, 3, 1]);
      for (const reduction of Object.keys(shapes) as Reduction[]) {
        expect(reduceLoss(per, reduction).shape).toEqual(shapes[reduction]);
        expect(reduceLoss(per, reduction, weights).shape).toEqual(shapes[reduction]);
      }
    });
  });

  it('leaks no tensor: perExample leaves only its output', () => {
    const logits = tf.tensor2d(logitsOf(3));
    const labels = tf.tensor1d(LABELS, 'int32');
    const extra = extraInputs(spec);
    const before = tf.memory().numTensors;
    const out = spec.perExample({ logits, labels, ...extra }, prepared);
    expect(tf.memory().numTensors).toBe(before + 1);
    out.dispose();
    logits.dispose();
    labels.dispose();
    extra.features?.dispose();
    const start = tf.memory().numTensors;
    run(logitsOf(3));
    expect(tf.memory().numTensors).toBe(start);
  });

  it('has finite gradients with respect to the logits, up to |z| = 1e3', () => {
    for (const scale of [1, 20, 1e3]) {
      const grads = tf.tidy(() => {
        const labels = tf.tensor1d(LABELS, 'int32');
        // A loss of the features alone (rescom-supcon) does not read the logits, and tf.grad refuses an
        // unconnected x: the 0 · Σz term connects them without changing any gradient.
        const connect = (z: tf.Tensor): tf.Scalar | number =>
          spec.needs?.includes('features') === true ? (tf.mul(0, tf.sum(z)) as tf.Scalar) : 0;
        const g = tf.grad((z: tf.Tensor) =>
          tf.add(reduceLoss(spec.perExample({ logits: z as tf.Tensor2D, labels, ...extraInputs(spec) }, prepared), 'mean'), connect(z)),
        );
        return Array.from(g(tf.tensor2d(logitsOf(scale))).dataSync());
      });
      expect(grads.every(Number.isFinite)).toBe(true);
    }
  });

  it('has finite gradients with respect to the features it needs, features scaled up to 1e3', () => {
    if (spec.needs?.includes('features') !== true) return;
    for (const scale of [1e-3, 1, 1e3]) {
      const grads = tf.tidy(() => {
        const labels = tf.tensor1d(LABELS, 'int32');
        const logits = tf.tensor2d(logitsOf(scale));
        const g = tf.grad((f: tf.Tensor) =>
          reduceLoss(spec.perExample({ logits, labels, features: f as tf.Tensor2D }, prepared), 'mean'),
        );
        return Array.from(g(tf.tensor2d(FEATURES.map((row) => row.map((v) => scale * v)))).dataSync());
      });
      expect(grads.every(Number.isFinite)).toBe(true);
      expect(grads.some((v) => v !== 0)).toBe(true);
    }
  });

  it('fails with a one-sentence UserError when an input it needs is missing', () => {
    if (spec.needs === undefined || spec.needs.length === 0) return;
    expect(() =>
      tf.tidy(() => spec.perExample({ logits: tf.tensor2d(logitsOf(1)), labels: tf.tensor1d(LABELS, 'int32') }, prepared)),
    ).toThrow(UserError);
  });

  it('is deterministic: the same inputs give the same values', () => {
    expect(run(logitsOf(7))).toEqual(run(logitsOf(7)));
  });
});
