import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { rescomSupcon, type RescomSupconConfig } from '../../src/losses/rescom-supcon.js';
import { countsForClassesArb, permutationArb } from '../arbitraries/class-counts.js';
import { labelsArb } from '../arbitraries/labels.js';
import { TENSOR_RUNS, closeRelative } from './helpers.js';

/** Features [N][D] on a 1/64 grid in ±10 with no zero row, labels [N], counts [C]. */
interface ContrastiveProblem {
  readonly features: number[][];
  readonly labels: number[];
  readonly counts: number[];
}

const problemArb: fc.Arbitrary<ContrastiveProblem> = fc
  .record({ rows: fc.integer({ min: 1, max: 6 }), dim: fc.integer({ min: 1, max: 5 }), classes: fc.integer({ min: 2, max: 5 }) })
  .chain(({ rows, dim, classes }) =>
    fc.record({
      features: fc.array(
        fc
          .array(fc.integer({ min: -640, max: 640 }), { minLength: dim, maxLength: dim })
          .filter((row) => row.some((v) => v !== 0))
          .map((row) => row.map((v) => v / 64)),
        { minLength: rows, maxLength: rows },
      ),
      labels: labelsArb(rows, classes),
      counts: countsForClassesArb(classes),
    }),
  );

const configArb: fc.Arbitrary<RescomSupconConfig> = fc.record({
  temperature: fc.constantFrom(0.07, 0.1, 0.5, 1),
  effectiveNumBeta: fc.constantFrom(0, 0.9, 0.999, 1),
});

/** Per-anchor values (the logits are zeros: the loss does not read them). */
const values = (config: RescomSupconConfig, p: ContrastiveProblem, features = p.features): number[] =>
  tf.tidy(() => {
    const out = rescomSupcon.perExample(
      {
        logits: tf.zeros([features.length, p.counts.length]) as tf.Tensor2D,
        labels: tf.tensor1d(p.labels, 'int32'),
        features: tf.tensor2d(features),
      },
      rescomSupcon.prepare(config, p.counts),
    );
    expect(out.shape).toEqual([features.length]);
    return Array.from(out.dataSync());
  });

beforeAll(async () => {
  await initBackend('cpu');
});

describe('rescom-supcon properties', () => {
  it('rescom-supcon is non-negative and finite, per-anchor shape [N], features scaled up to 1e3', () =>
    fc.assert(
      fc.property(problemArb, configArb, fc.constantFrom(1, 100), (p, config, scale) => {
        const got = values(config, p, p.features.map((row) => row.map((v) => v * scale)));
        expect(got.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('rescom-supcon is invariant under scaling the features by c > 0 (L2 normalisation)', () =>
    fc.assert(
      fc.property(problemArb, configArb, fc.constantFrom(1e-3, 0.1, 7, 1e3), (p, config, c) => {
        const scaled = p.features.map((row) => row.map((v) => v * c));
        expect(closeRelative(values(config, p, scaled), values(config, p), 1e-3)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('a permutation of classes (labels and counts together) leaves rescom-supcon unchanged', () =>
    fc.assert(
      fc.property(
        problemArb.chain((p) => permutationArb(p.counts.length).map((perm) => [p, perm] as const)),
        configArb,
        ([p, perm], config) => {
          const inverse = new Array<number>(perm.length);
          perm.forEach((old, k) => (inverse[old] = k));
          const q = { ...p, labels: p.labels.map((y) => inverse[y]!), counts: perm.map((old) => p.counts[old]!) };
          expect(closeRelative(values(config, q), values(config, p), 1e-4)).toBe(true);
        },
      ),
      TENSOR_RUNS,
    ));

  it('a permutation of the examples permutes the per-anchor values', () =>
    fc.assert(
      fc.property(
        problemArb.chain((p) => permutationArb(p.labels.length).map((perm) => [p, perm] as const)),
        ([p, perm]) => {
          const q = { ...p, features: perm.map((i) => p.features[i]!), labels: perm.map((i) => p.labels[i]!) };
          const original = values(rescomSupcon.defaults, p);
          expect(closeRelative(values(rescomSupcon.defaults, q), perm.map((i) => original[i]!), 1e-4)).toBe(true);
        },
      ),
      TENSOR_RUNS,
    ));

  it('an anchor whose class appears once in the batch contributes 0', () =>
    fc.assert(
      fc.property(problemArb, (p) => {
        const got = values(rescomSupcon.defaults, p);
        p.labels.forEach((y, i) => {
          if (p.labels.filter((l) => l === y).length === 1) expect(Math.abs(got[i]!)).toBe(0);
        });
      }),
      TENSOR_RUNS,
    ));
});
