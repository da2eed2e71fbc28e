/**
 * Property checks shared by the loss property tests. Each takes a loss spec and a config and runs
 * one invariant with fast-check over the shared arbitraries.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { LossSpec } from '../../src/losses/loss-spec.js';
import { lossProblemArb, type LossProblem, type LossProblemOptions } from '../arbitraries/loss-problem.js';
import { permutationArb } from '../arbitraries/class-counts.js';
import { permuteClasses } from '../../src/losses/verification/loss-problem-arbitrary.js';
import { closeRelative as closeRelativeTo, perExampleOnHost, softmaxNll64 } from '../../src/losses/verification/loss-properties.js';

/** True when `values[i] ≥ values[j]` whenever counts[i] < counts[j] ("non-increasing in n"). */
export const nonIncreasingInCounts = (counts: readonly number[], values: readonly number[], slack = 0): boolean =>
  counts.every((ni, i) => counts.every((nj, j) => !(ni < nj) || values[i]! >= values[j]! - slack));

/** Runs for properties that build tensors. */
export const TENSOR_RUNS = { numRuns: 30 } as const;

/** Per-example values of `spec` on host inputs; throws unless the output is [N] (verifyLoss's own helper). */
export const lossValues = <C, P>(spec: LossSpec<C, P>, prepared: P, logits: number[][], labels: readonly number[]): number[] =>
  perExampleOnHost(spec, prepared, logits, labels);

/** Float64 −log softmax(row)_y (verifyLoss's `softmaxNll64`). */
export const nll64 = softmaxNll64;

/** |a − b| ≤ tol·(1 + |b|) element-wise: float32 losses against float64 or reordered float32 (tol default 1e-4). */
export const closeRelative = (a: readonly number[], b: readonly number[], tol = 1e-4): boolean => closeRelativeTo(a, b, tol);

/** "losses are non-negative and finite, per-example shape [N]". */
export const checkNonNegativeFinite = <C, P>(spec: LossSpec<C, P>, config: NoInfer<C>, options?: LossProblemOptions): void =>
  fc.assert(
    fc.property(lossProblemArb(options), ({ logits, labels, counts }) => {
      const values = lossValues(spec, spec.prepare(config, counts), logits, labels);
      expect(values.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }),
    TENSOR_RUNS,
  );

/** "adding c to a row of logits changes nothing" (softmax-based losses with additive adjustments only). */
export const checkShiftInvariant = <C, P>(
  spec: LossSpec<C, P>,
  config: NoInfer<C>,
  options?: LossProblemOptions & { readonly exactShift?: boolean },
): void =>
  fc.assert(
    fc.property(lossProblemArb(options), fc.integer({ min: -20, max: 20 }), ({ logits: drawn, labels, counts }, c) => {
      const prepared = spec.prepare(config, counts);
      // exactShift: logits on a 1/64 grid, so z + c is exact in float32 and no comparison of logits can flip by rounding.
      const logits = options?.exactShift === true ? drawn.map((row) => row.map((v) => Math.round(v * 64) / 64)) : drawn;
      const shifted = logits.map((row) => row.map((v) => v + c));
      expect(closeRelative(lossValues(spec, prepared, shifted, labels), lossValues(spec, prepared, logits, labels), 1e-3)).toBe(true);
    }),
    TENSOR_RUNS,
  );

/** "raising the true-class logit never raises the per-example loss". */
export const checkTrueLogitMonotone = <C, P>(spec: LossSpec<C, P>, config: NoInfer<C>, options?: LossProblemOptions): void =>
  fc.assert(
    fc.property(lossProblemArb(options), fc.integer({ min: 1, max: 10 }), ({ logits, labels, counts }, delta) => {
      const prepared = spec.prepare(config, counts);
      const raised = logits.map((row, i) => row.map((v, j) => (j === labels[i] ? v + delta : v)));
      const before = lossValues(spec, prepared, logits, labels);
      const after = lossValues(spec, prepared, raised, labels);
      after.forEach((v, i) => expect(v).toBeLessThanOrEqual(before[i]! + 1e-5 * (1 + before[i]!)));
    }),
    TENSOR_RUNS,
  );

export { permuteClasses };

/** "a permutation of classes (logits, labels and counts permuted together) leaves the loss unchanged". */
export const checkPermutationInvariant = <C, P>(spec: LossSpec<C, P>, config: NoInfer<C>, options?: LossProblemOptions): void =>
  fc.assert(
    fc.property(
      lossProblemArb(options).chain((p) => permutationArb(p.counts.length).map((perm) => [p, perm] as const)),
      ([p, perm]) => {
        const q = permuteClasses(p, perm);
        const original = lossValues(spec, spec.prepare(config, p.counts), p.logits, p.labels);
        const permuted = lossValues(spec, spec.prepare(config, q.counts), q.logits, q.labels);
        expect(closeRelative(permuted, original, 1e-4)).toBe(true);
      },
    ),
    TENSOR_RUNS,
  );

/** "<loss> with <config> equals cross-entropy on f(z)" against the float64 formula. */
export const checkEqualsCrossEntropyOf = <C, P>(
  spec: LossSpec<C, P>,
  config: NoInfer<C> | ((counts: number[]) => NoInfer<C>),
  transform: (logits: number[][]) => number[][] = (z) => z,
  options?: LossProblemOptions,
): void =>
  fc.assert(
    fc.property(lossProblemArb(options), ({ logits, labels, counts }) => {
      const c = typeof config === 'function' ? (config as (counts: number[]) => C)(counts) : config;
      const got = lossValues(spec, spec.prepare(c, counts), logits, labels);
      const expected = transform(logits).map((row, i) => nll64(row, labels[i]!));
      expect(closeRelative(got, expected, 1e-4)).toBe(true);
    }),
    TENSOR_RUNS,
  );
