/**
 * The invariants every classification loss is expected to keep, as named fast-check properties over
 * any `LossSpec` (tailstream's own and a user's): finiteness up to |z| = 1e3, non-negativity,
 * determinism, no tensor leak, finite gradients, invariance to a constant shift of a row of logits,
 * monotonicity in the true-class logit, and invariance to a permutation of the classes.
 *
 * Each property states itself in words and, when it fails, throws one sentence that says what was
 * observed; `verifyLoss` turns that into a report with the shrunk counterexample.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import type { LossInputs, LossSpec } from '../loss-spec.js';
import { reduceLoss } from '../reduce.js';
import { lossProblemArb, permutationArb, permuteClasses, type LossProblem, type LossProblemOptions } from './loss-problem-arbitrary.js';

/** Names of the built-in properties. */
export const LOSS_PROPERTY_IDS = [
  'finite',
  'non-negative',
  'deterministic',
  'no-leak',
  'finite-gradient',
  'shift-invariant',
  'true-logit-monotone',
  'class-permutation',
] as const;
/** A built-in property's name. */
export type LossPropertyId = (typeof LOSS_PROPERTY_IDS)[number];

/** The config a property runs with: fixed, or computed from the drawn class counts. */
export type ConfigFor<C> = C | ((counts: readonly number[]) => C);

/** What a property needs besides the loss: its config and the size of the drawn problems. */
export interface PropertySetting<C> {
  readonly config: ConfigFor<C>;
  readonly problem: Required<Pick<LossProblemOptions, 'maxRows' | 'maxClasses'>> & Pick<LossProblemOptions, 'featureDim'>;
}

/** A named invariant that can be checked on any loss. */
export interface LossProperty {
  readonly id: string;
  /** The invariant in one sentence. */
  readonly statement: string;
  /** The fast-check property for `spec`; its predicate throws one sentence when the invariant is broken. */
  build<C, P>(spec: LossSpec<C, P>, setting: PropertySetting<C>): fc.IProperty<[LossProblem, ...unknown[]]>;
}

/** The config for a problem's counts. */
export const configFor = <C>(config: ConfigFor<C>, counts: readonly number[]): C =>
  typeof config === 'function' ? (config as (counts: readonly number[]) => C)(counts) : config;

/** The loss inputs of a host problem as tensors (call inside a tidy scope). */
export const inputsOf = (p: Pick<LossProblem, 'logits' | 'labels' | 'features'>): LossInputs => ({
  logits: tf.tensor2d(p.logits.map((r) => [...r])),
  labels: tf.tensor1d([...p.labels], 'int32'),
  ...(p.features !== undefined ? { features: tf.tensor2d(p.features.map((r) => [...r])) } : {}),
});

/** Per-example values of `spec` on host inputs; throws when the output is not [N]. */
export const perExampleOnHost = <C, P>(
  spec: LossSpec<C, P>,
  prepared: P,
  logits: readonly number[][],
  labels: readonly number[],
  features?: readonly number[][],
): number[] =>
  tf.tidy(() => {
    const out = spec.perExample(inputsOf({ logits: logits as number[][], labels: labels as number[], ...(features !== undefined ? { features: features as number[][] } : {}) }), prepared);
    if (out.rank !== 1 || out.shape[0] !== logits.length) {
      throw new Error(`perExample returned shape [${out.shape.join(', ')}] for ${logits.length} examples; expected [${logits.length}]`);
    }
    return Array.from(out.dataSync());
  });

/** |a − b| ≤ tol·(1 + |b|) element-wise. */
export const closeRelative = (a: readonly number[], b: readonly number[], tol: number): boolean =>
  a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= tol * (1 + Math.abs(b[i]!)));

const show = (values: readonly number[]): string => `[${values.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v)).join(', ')}]`;
const broken = (sentence: string): never => {
  throw new Error(sentence);
};

const valuesOf = <C, P>(spec: LossSpec<C, P>, config: ConfigFor<C>, p: LossProblem): number[] =>
  perExampleOnHost(spec, spec.prepare(configFor(config, p.counts), p.counts), p.logits, p.labels, p.features);

const problems = (setting: PropertySetting<unknown>, bound?: number): fc.Arbitrary<LossProblem> =>
  lossProblemArb({ ...setting.problem, ...(bound !== undefined ? { bound } : {}) });

/** Finite [N] values for finite logits up to |z| = 1e3 (needs a stable log-sum-exp). */
export const finiteProperty: LossProperty = {
  id: 'finite',
  statement: 'finite [N] values for finite logits up to |z| = 1e3',
  build: (spec, setting) =>
    fc.property(fc.oneof(problems(setting), problems(setting, 1e3)), (p) => {
      const v = valuesOf(spec, setting.config, p);
      if (!v.every(Number.isFinite)) broken(`the loss values were ${show(v)}`);
    }),
};

/** Per-example losses are ≥ 0. */
export const nonNegativeProperty: LossProperty = {
  id: 'non-negative',
  statement: 'every per-example loss is ≥ 0',
  build: (spec, setting) =>
    fc.property(problems(setting), (p) => {
      const v = valuesOf(spec, setting.config, p);
      if (!v.every((x) => x >= -1e-6)) broken(`the loss values were ${show(v)}`);
    }),
};

/** The same inputs give bit-identical outputs. */
export const deterministicProperty: LossProperty = {
  id: 'deterministic',
  statement: 'the same inputs give identical values (no hidden randomness or state)',
  build: (spec, setting) =>
    fc.property(problems(setting), (p) => {
      const a = valuesOf(spec, setting.config, p);
      const b = valuesOf(spec, setting.config, p);
      if (!a.every((x, i) => Object.is(x, b[i]))) broken(`two calls gave ${show(a)} and ${show(b)}`);
    }),
};

/** perExample leaves exactly one new tensor (its output) and nothing once that is disposed. */
export const noLeakProperty: LossProperty = {
  id: 'no-leak',
  statement: 'perExample leaves only its output tensor behind (tf.memory)',
  build: (spec, setting) =>
    fc.property(problems(setting), (p) => {
      const prepared = spec.prepare(configFor(setting.config, p.counts), p.counts);
      // Counted inside one tidy scope, so whatever a leaky loss leaves behind is still cleaned up afterwards.
      const created = tf.tidy(() => {
        const inputs = inputsOf(p);
        const before = tf.memory().numTensors;
        spec.perExample(inputs, prepared);
        return tf.memory().numTensors - before;
      });
      if (created !== 1) broken(`perExample left ${created} new tensors (expected 1, its output); wrap its body in tf.tidy`);
    }),
};

/** The gradient of the mean loss with respect to the logits is finite, up to |z| = 1e3. */
export const finiteGradientProperty: LossProperty = {
  id: 'finite-gradient',
  statement: 'the gradient of the mean loss with respect to the logits (and features) is finite for |z| up to 1e3',
  build: (spec, setting) =>
    fc.property(fc.oneof(problems(setting), problems(setting, 1e3)), (p) => {
      const prepared = spec.prepare(configFor(setting.config, p.counts), p.counts);
      const g = tf.tidy(() => {
        const { logits, labels, features } = inputsOf(p);
        const xs = features === undefined ? [logits] : [logits, features];
        // 0·Σx keeps every input connected, so a loss that reads only its features still has a (zero) logits gradient.
        const grads = tf.grads((...x: tf.Tensor[]) => {
          const loss = reduceLoss(spec.perExample({ logits: x[0] as tf.Tensor2D, labels, ...(x[1] !== undefined ? { features: x[1] as tf.Tensor2D } : {}) }, prepared), 'mean');
          return x.reduce((acc: tf.Tensor, xi) => tf.add(acc, tf.mul(tf.sum(xi), 0)), loss) as tf.Scalar;
        });
        return grads(xs).flatMap((t) => Array.from(t.dataSync()));
      });
      if (!g.every(Number.isFinite)) broken(`the gradient held ${show(g.filter((x) => !Number.isFinite(x)))}`);
    }),
};

/** Adding a constant to a row of logits changes nothing (softmax-based losses). */
export const shiftInvariantProperty: LossProperty = {
  id: 'shift-invariant',
  statement: 'adding a constant c to a row of logits leaves the loss unchanged (softmax-based losses)',
  build: (spec, setting) =>
    fc.property(problems(setting), fc.integer({ min: -20, max: 20 }), (drawn, c) => {
      // Logits on a 1/64 grid, so z + c is exact in float32 and no comparison between logits flips by rounding.
      const p = { ...drawn, logits: drawn.logits.map((row) => row.map((v) => Math.round(v * 64) / 64)) };
      const shifted = { ...p, logits: p.logits.map((row) => row.map((v) => v + c)) };
      const a = valuesOf(spec, setting.config, p);
      const b = valuesOf(spec, setting.config, shifted);
      if (!closeRelative(b, a, 1e-3)) broken(`adding ${c} to every logit changed the values from ${show(a)} to ${show(b)}`);
    }),
};

/** Raising the true-class logit never raises that example's loss. */
export const trueLogitMonotoneProperty: LossProperty = {
  id: 'true-logit-monotone',
  statement: "raising an example's true-class logit never raises its loss",
  build: (spec, setting) =>
    fc.property(problems(setting), fc.integer({ min: 1, max: 10 }), (p, delta) => {
      const raised = { ...p, logits: p.logits.map((row, i) => row.map((v, j) => (j === p.labels[i] ? v + delta : v))) };
      const before = valuesOf(spec, setting.config, p);
      const after = valuesOf(spec, setting.config, raised);
      const i = after.findIndex((v, k) => v > before[k]! + 1e-5 * (1 + Math.abs(before[k]!)));
      if (i >= 0) broken(`raising example ${i}'s true-class logit by ${delta} raised its loss from ${show([before[i]!])} to ${show([after[i]!])}`);
    }),
};

/** Permuting the classes (logits, labels and counts together) leaves the loss unchanged. */
export const classPermutationProperty: LossProperty = {
  id: 'class-permutation',
  statement: 'permuting the classes (logits, labels and counts together) leaves the loss unchanged',
  build: (spec, setting) =>
    fc.property(
      problems(setting),
      fc.nat(),
      (p, key) => {
        // The permutation is derived from `key` so that the problem shrinks independently of it.
        const perm = fc.sample(permutationArb(p.counts.length), { seed: key, numRuns: 1 })[0]!;
        const q = permuteClasses(p, perm);
        const a = valuesOf(spec, setting.config, p);
        const b = valuesOf(spec, setting.config, q);
        if (!closeRelative(b, a, 1e-4)) broken(`the class permutation [${perm.join(', ')}] changed the values from ${show(a)} to ${show(b)}`);
      },
    ),
};

/** The built-in properties by name, in the order a report lists them. */
export const LOSS_PROPERTIES: Readonly<Record<LossPropertyId, LossProperty>> = {
  finite: finiteProperty,
  'non-negative': nonNegativeProperty,
  deterministic: deterministicProperty,
  'no-leak': noLeakProperty,
  'finite-gradient': finiteGradientProperty,
  'shift-invariant': shiftInvariantProperty,
  'true-logit-monotone': trueLogitMonotoneProperty,
  'class-permutation': classPermutationProperty,
};

/**
 * An equivalence a loss should satisfy for some config, against an independent reference
 * (e.g. "with γ = 0 it equals cross-entropy"), checked to a relative tolerance.
 */
export interface LossEquivalence<C> {
  readonly statement: string;
  readonly config: ConfigFor<C>;
  /** The expected per-example values, computed independently (float64). */
  readonly reference: (problem: LossProblem) => readonly number[];
  /** Relative tolerance (default 1e-4). */
  readonly tolerance?: number;
}

/** Float64 −log softmax(row)_y with a stable log-sum-exp. */
export const softmaxNll64 = (row: readonly number[], y: number): number => {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[y]!;
};

/** The float64 cross-entropy reference of a problem, on logits transformed by `f` (default: unchanged). */
export const crossEntropyReference =
  (f: (logits: number[][], counts: readonly number[]) => number[][] = (z) => z) =>
  (p: LossProblem): number[] =>
    f(p.logits, p.counts).map((row, i) => softmaxNll64(row, p.labels[i]!));

/** An equivalence as a property. */
export const equivalenceProperty = <C>(equivalence: LossEquivalence<C>, index: number): LossProperty => ({
  id: `equivalence-${index + 1}`,
  statement: equivalence.statement,
  build: (spec, setting) =>
    fc.property(problems(setting), (p) => {
      const got = valuesOf(spec, equivalence.config as never, p);
      const expected = equivalence.reference(p);
      if (!closeRelative(got, expected, equivalence.tolerance ?? 1e-4)) broken(`the loss gave ${show(got)}, the reference ${show(expected)}`);
    }),
});
