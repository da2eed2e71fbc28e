import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import type { LossSpec } from '../../src/losses/loss-spec.js';
import { rescom, type RescomConfig } from '../../src/losses/rescom.js';
import { rescomSupcon } from '../../src/losses/rescom-supcon.js';
import { siameseBalancedSoftmax } from '../../src/losses/siamese-balanced-softmax.js';
import { lossProblemArb, type LossProblem } from '../arbitraries/loss-problem.js';
import { TENSOR_RUNS, closeRelative } from './helpers.js';

type WithFeatures = LossProblem & { readonly features: number[][] };

/** Logits (|z| ≤ 1e3), labels, counts from lossProblemArb, and [N][3] features on a 1/64 grid in ±10 (no zero row). */
const problemArb: fc.Arbitrary<WithFeatures> = lossProblemArb({ bound: 1e3 }).chain((p) =>
  fc
    .array(fc.array(fc.integer({ min: -640, max: 640 }), { minLength: 3, maxLength: 3 }).filter((r) => r.some((v) => v !== 0)), {
      minLength: p.labels.length,
      maxLength: p.labels.length,
    })
    .map((f) => ({ ...p, features: f.map((row) => row.map((v) => v / 64)) })),
);

/** Per-example values of `spec` prepared from `config` on a problem with features. */
const run = <C, P>(spec: LossSpec<C, P>, config: C, p: WithFeatures): number[] =>
  tf.tidy(() =>
    Array.from(
      spec
        .perExample(
          { logits: tf.tensor2d(p.logits), labels: tf.tensor1d(p.labels, 'int32'), features: tf.tensor2d(p.features) },
          spec.prepare(config, p.counts),
        )
        .dataSync(),
    ),
  );

beforeAll(async () => {
  await initBackend('cpu');
});

describe('rescom properties', () => {
  it('rescom equals siamese balanced softmax plus λ times rescom-supcon', () =>
    fc.assert(
      fc.property(problemArb, fc.constantFrom(0, 0.5, 1, 3), (p, conWeight) => {
        const config: RescomConfig = { temperature: 0.1, effectiveNumBeta: 0.999, conWeight };
        const sbs = run(siameseBalancedSoftmax, {}, p);
        const con = run(rescomSupcon, { temperature: 0.1, effectiveNumBeta: 0.999 }, p);
        expect(closeRelative(run(rescom, config, p), sbs.map((v, i) => v + conWeight * con[i]!), 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('rescom is non-negative and finite up to |z| = 1e3', () =>
    fc.assert(
      fc.property(problemArb, (p) => {
        expect(run(rescom, rescom.defaults, p).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      }),
      TENSOR_RUNS,
    ));
});
