import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { distributionBalanced, type DistributionBalancedConfig } from '../../src/losses/distribution-balanced.js';
import { logitsOfShape } from '../arbitraries/logits.js';
import { countsForClassesArb, permutationArb } from '../arbitraries/class-counts.js';
import {
  TENSOR_RUNS,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  checkTrueLogitMonotone,
  closeRelative,
} from './helpers.js';

const DEFAULTS = distributionBalanced.defaults;
/** Re-weighting and NTR off: what remains is BCE (focal off) or balance · sigmoid focal BCE (focal on). */
const PLAIN: DistributionBalancedConfig = { ...DEFAULTS, reweight: 'none', initBias: 0, negScale: 1 };

/** Multi-label problem: logits [N][C], multi-hot targets [N][C], positive counts [C], images N ≥ max count. */
interface MultiLabelProblem {
  readonly logits: number[][];
  readonly targets: number[][];
  readonly counts: number[];
  readonly images: number;
}

const multiLabelArb = (bound = 20): fc.Arbitrary<MultiLabelProblem> =>
  fc
    .record({ rows: fc.integer({ min: 1, max: 5 }), classes: fc.integer({ min: 2, max: 6 }) })
    .chain(({ rows, classes }) =>
      fc.record({
        logits: logitsOfShape(rows, classes, bound),
        targets: fc.array(fc.array(fc.constantFrom(0, 1), { minLength: classes, maxLength: classes }), {
          minLength: rows,
          maxLength: rows,
        }),
        counts: countsForClassesArb(classes),
        extra: fc.integer({ min: 1, max: 5000 }),
      }),
    )
    .map(({ logits, targets, counts, extra }) => ({ logits, targets, counts, images: Math.max(...counts) + extra }));

/** Per-example values with multi-hot targets. */
const values = (config: DistributionBalancedConfig, p: MultiLabelProblem): number[] =>
  tf.tidy(() => {
    const out = distributionBalanced.perExample(
      {
        logits: tf.tensor2d(p.logits),
        labels: tf.tensor1d(p.logits.map(() => 0), 'int32'),
        targets: tf.tensor2d(p.targets),
      },
      distributionBalanced.prepare({ ...config, numImages: p.images }, p.counts),
    );
    return Array.from(out.dataSync());
  });

/** Float64 Σ_j BCE(z_j, t_j), times balance · (1 − p_t)^γ when `focal`. */
const bce64 = (p: MultiLabelProblem, focal: { gamma: number; balance: number } | null): number[] =>
  p.logits.map((row, i) =>
    row.reduce((s, z, j) => {
      const t = p.targets[i]![j]!;
      const b = Math.max(z, 0) - t * z + Math.log1p(Math.exp(-Math.abs(z)));
      return s + (focal === null ? b : focal.balance * (-Math.expm1(-b)) ** focal.gamma * b);
    }, 0),
  );

beforeAll(async () => {
  await initBackend('cpu');
});

describe('distribution-balanced properties', () => {
  it('DB with re-weighting and NTR off equals plain BCE summed over classes', () =>
    fc.assert(
      fc.property(multiLabelArb(), (p) => {
        expect(closeRelative(values({ ...PLAIN, focal: false }, p), bce64(p, null), 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('DB-Focal with re-weighting and NTR off equals balance times the sigmoid focal BCE', () =>
    fc.assert(
      fc.property(multiLabelArb(), fc.constantFrom(0, 0.5, 1, 2), (p, gamma) => {
        const got = values({ ...PLAIN, focal: true, gamma, balanceParam: 2 }, p);
        expect(closeRelative(got, bce64(p, { gamma, balance: 2 }), 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('DB (defaults) is non-negative and finite with multi-hot targets up to |z| = 1e3', () =>
    fc.assert(
      fc.property(multiLabelArb(1e3), (p) => {
        for (const config of [DEFAULTS, { ...DEFAULTS, focal: false }]) {
          expect(values(config, p).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
        }
      }),
      TENSOR_RUNS,
    ));

  it('a permutation of classes (logits, targets and counts together) leaves DB unchanged', () =>
    fc.assert(
      fc.property(
        multiLabelArb().chain((p) => permutationArb(p.counts.length).map((perm) => [p, perm] as const)),
        ([p, perm]) => {
          const q: MultiLabelProblem = {
            logits: p.logits.map((row) => perm.map((old) => row[old]!)),
            targets: p.targets.map((row) => perm.map((old) => row[old]!)),
            counts: perm.map((old) => p.counts[old]!),
            images: p.images,
          };
          expect(closeRelative(values(DEFAULTS, q), values(DEFAULTS, p), 1e-4)).toBe(true);
        },
      ),
      TENSOR_RUNS,
    ));

  it('DB without targets is non-negative and finite up to |z| = 1e3 (one-hot of the labels)', () =>
    checkNonNegativeFinite(distributionBalanced, DEFAULTS, { bound: 1e3 }));
  it('a permutation of classes leaves DB on single labels unchanged', () => checkPermutationInvariant(distributionBalanced, DEFAULTS));
  it('raising the true-class logit never raises DB without focal', () =>
    checkTrueLogitMonotone(distributionBalanced, { ...DEFAULTS, focal: false }));
});
