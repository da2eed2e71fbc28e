/**
 * Contract every registered loss must keep: finite [N] output for finite logits up to |z| = 1e3,
 * the right shape for each reduction, no tensor leak, finite gradients, the same result twice.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { losses } from '../../src/losses/registry.js';
import { reduceLoss, type Reduction } from '../../src/losses/reduce.js';

const COUNTS = [500, 120, 40, 9, 2];
const WITH_EMPTY_CLASS = [500, 120, 40, 9, 0];
const N = 6;
const C = COUNTS.length;
const LABELS = [0, 1, 2, 3, 4, 4];

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
      const out = spec.perExample({ logits: tf.tensor2d(z), labels: tf.tensor1d(LABELS, 'int32') }, p);
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
      const per = spec.perExample({ logits: tf.tensor2d(logitsOf(3)), labels: tf.tensor1d(LABELS, 'int32') }, prepared);
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
    const before = tf.memory().numTensors;
    const out = spec.perExample({ logits, labels }, prepared);
    expect(tf.memory().numTensors).toBe(before + 1);
    out.dispose();
    logits.dispose();
    labels.dispose();
    const start = tf.memory().numTensors;
    run(logitsOf(3));
    expect(tf.memory().numTensors).toBe(start);
  });

  it('has finite gradients with respect to the logits, up to |z| = 1e3', () => {
    for (const scale of [1, 20, 1e3]) {
      const grads = tf.tidy(() => {
        const labels = tf.tensor1d(LABELS, 'int32');
        const g = tf.grad((z: tf.Tensor) => reduceLoss(spec.perExample({ logits: z as tf.Tensor2D, labels }, prepared), 'mean'));
        return Array.from(g(tf.tensor2d(logitsOf(scale))).dataSync());
      });
      expect(grads.every(Number.isFinite)).toBe(true);
    }
  });

  it('is deterministic: the same inputs give the same values', () => {
    expect(run(logitsOf(7))).toEqual(run(logitsOf(7)));
  });
});
