/**
 * GAE's guiding adversarial examples: tail-class images are attacked with GA-PGD against the current
 * (biased) model, and those the model misclassified at some step of the attack are appended to the
 * batch with their true tail label, pushing the decision boundary back into the head classes.
 *
 * Intuition: a model trained on long-tailed data draws its boundaries too close to the tail classes.
 * A tail image that a tiny perturbation carries across a boundary lies near that biased boundary;
 * training on it *with its tail label* moves the boundary outwards. Images that never cross are far
 * from the boundary and are discarded.
 *
 * Formula (tail subset T of the batch; pixel units p ∈ [0, 1]; ε-ball B = {p : ‖p − p⁰‖ ≤ ε}):
 *   start     p⁰⁺ = clamp₀₁(p⁰ + U(−ε, ε))                       (random start, per float)
 *   k = 0…K−1 κ_i += [argmax f(x^k)_i = y_i]                      (checked *before* each update)
 *             p^{k+1} = clamp₀₁(Π_B(p^k + α·sign ∇ₓ CE(f(x^k)_i, y_i)))   (L∞; L2: α·∇/‖∇‖₂)
 *   guiding   G = {i ∈ T : κ_i < K}  (misclassified at least once), appended as (x^K_i, y_i)
 * The batch is normalised (x = (p − mean_c)/std_c), so the operator works in that space with the
 * per-channel radius ε/std_c, step α/std_c and box [(0 − mean_c)/std_c, (1 − mean_c)/std_c] (L∞);
 * the L2 ball and step are taken in pixel units (δp = δx·std_c). sign(0) = 0, as torch's.
 *
 * Loss composition (the appended rows carry weights): with N clean and M guiding rows,
 *   w_clean = (N + M)/N,  w_guiding = λ·(N + M)/M   (times any weight a row already had),
 * so the step's default `mean` reduction, Σ w_i ℓ_i/(N + M), is exactly the official
 *   mean_clean CE + λ·mean_guiding CE   (`loss_all += 1 * loss_cross`, λ = `adversarialWeight`).
 * (`weighted-mean` divides by Σ w instead, which gives that objective divided by 1 + λ when no row had a weight.)
 * A batch without tail rows, or whose tail rows never crossed, is returned unchanged (same object).
 *
 * Paper: Zhang, Zhang, Li, Wu, "Adversarial Examples for Good: Adversarial Examples Guided Imbalanced
 * Learning", ICIP 2022 (arXiv 2201.12356).
 * Defaults: `zj-jayzhang/Guided_Adversarial_Examples: train_adv.py` @564c26d (`GA_PGD`; ε = 1/255,
 * step ε/8, `--num_steps 8`, random start, `loss_all += 1 * loss_cross`).
 * The tail set: that code hard-codes `target >= 5` (CIFAR-10 only). The default rule here,
 * 'below-median' (classes whose count is strictly below the median count), selects exactly classes
 * 5…9 on CIFAR-10-LT (exponential or step profile, any ratio > 1) and 50…99 on CIFAR-100-LT; an
 * explicit list of class indices is also accepted. With equal counts no class is tail.
 *
 * Deliberate deviations from the official code, named:
 * - κ: the official `predict == target` compares a [M, 1] with a [M] tensor, which broadcasts to
 *   [M, M]; so a step counts as "still correct" when the prediction equals the label of *any* attacked
 *   sample of the batch (the commented-out loop beside it compares with the sample's own label).
 *   Default `kappaRule: 'label'` is the paper's (and that loop's) definition; `'batch-tail-labels'`
 *   reproduces the broadcast.
 * - The official step is skipped entirely when a batch has no tail sample; here the batch comes back
 *   unchanged and the step trains on its clean loss.
 * - The official inputs are not normalised (`Normalize` is commented out); ε is given in pixel units
 *   and converted per channel, so the attack is the same for any normalisation.
 * - A float that is already outside the valid pixel range (never the case for `gatherBatch` batches)
 *   is not pulled into it: the box is widened to include the clean value, so the ε-ball always holds.
 * - Every stored float32 is rounded towards the clean value, so both constraints hold exactly in float32.
 * - L2 (not in the official code): random start U(−ε, ε) per float, then projected onto the L2 ball.
 * Batch norm: the oracle runs the model in inference mode, as the official `GA_PGD` (`model.eval()`).
 *
 * Needs `setup.oracle` (the training context's `GradientOracle`), the class counts and normalisation.
 *
 * @see modelGradientOracle (the oracle of a tailstream model)
 */
import * as t from 'io-ts';
import { NonNegative, NonNegativeInt, PositiveInt, Probability } from '../config/codecs.js';
import { draw, type Rng } from '../core/rng.js';
import type { HostBatch } from '../core/host-batch.js';
import type { Normalization } from '../streams/gather-batch.js';
import type { BatchTransform } from './batch-transform.js';
import type { GradientOracle, OracleQuery } from './gradient-oracle.js';
import { defineTransform, requireSetup, type BatchTransformSpec, type TransformSetup } from './transform-spec.js';
import { checkBatch, checkUnmixed } from './internal.js';

/** Which classes are tail: 'below-median' (count strictly below the median count) or explicit class indices. */
export const TailClassRule = t.union([t.literal('below-median'), t.readonlyArray(NonNegativeInt)]);
/** Which classes are tail. */
export type TailClassRule = t.TypeOf<typeof TailClassRule>;

/** GAE's config. */
export const GuidedAdversarialConfig = t.type({
  /** Radius of the perturbation ball in pixel units (images in [0, 1]). */
  epsilon: Probability,
  /** GA-PGD steps K (κ is checked before each of them). */
  steps: PositiveInt,
  /** Step α in pixel units; null for ε/8. */
  stepSize: t.union([t.null, NonNegative]),
  /** Which classes are attacked. */
  tailClasses: TailClassRule,
  /** 'linf' (the official attack) or 'l2'. */
  norm: t.keyof({ linf: null, l2: null }),
  /** Start from a uniform point of the L∞ box around the image (the official `rand_init=True`). */
  randomStart: t.boolean,
  /** λ: the guiding rows' loss counts λ·mean over them, beside the clean batch's mean. */
  adversarialWeight: NonNegative,
  /** 'label': a check counts when the prediction is the sample's label; 'batch-tail-labels': the official broadcast (any attacked label of the batch). */
  kappaRule: t.keyof({ label: null, 'batch-tail-labels': null }),
});
/** GAE's config type. */
export type GuidedAdversarialConfig = t.TypeOf<typeof GuidedAdversarialConfig>;

/** Defaults of `zj-jayzhang/Guided_Adversarial_Examples: train_adv.py` (ε 1/255, 8 steps of ε/8, random start, weight 1). */
export const guidedAdversarialDefaults: GuidedAdversarialConfig = Object.freeze({
  epsilon: 1 / 255,
  steps: 8,
  stepSize: null,
  tailClasses: 'below-median',
  norm: 'linf',
  randomStart: true,
  adversarialWeight: 1,
  kappaRule: 'label',
});

/**
 * The tail mask of `rule` over the classes of `counts`. 'below-median': count < median (the mean of
 * the two middle counts for an even number of classes).
 * @throws Error for empty counts or an explicit class outside them
 */
export const tailClassMask = (rule: TailClassRule, counts: readonly number[]): boolean[] => {
  if (counts.length === 0) throw new Error('tailClassMask: needs at least one class count');
  if (rule === 'below-median') {
    const sorted = [...counts].sort((a, b) => a - b);
    const h = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
    return counts.map((c) => c < median);
  }
  const mask = counts.map(() => false);
  for (const k of rule) {
    if (!(Number.isInteger(k) && k >= 0 && k < counts.length)) throw new Error(`tailClassMask: tail class ${k} is outside the ${counts.length} classes`);
    mask[k] = true;
  }
  return mask;
};

/** What GA-PGD needs besides the images, the oracle and the Rng (ε and α in pixel units). */
export interface GaPgdOptions {
  readonly epsilon: number;
  readonly stepSize: number;
  readonly steps: number;
  readonly norm: 'linf' | 'l2';
  readonly randomStart: boolean;
  readonly kappaRule: 'label' | 'batch-tail-labels';
  /** The normalisation the images went through (one mean and std per channel). */
  readonly normalization: Normalization;
}

/** The attacked images (after the last update) and κ, the number of checks each was classified as its label. */
export interface GaPgdResult {
  readonly x: Float32Array;
  readonly kappa: Int32Array;
}

const scratch = new Float32Array(1);
const scratchBits = new Int32Array(scratch.buffer);
const MIN_SUBNORMAL = Math.fround(1e-45);

/** The float32 nearest `v` that is no farther from `anchor` (a float32) than `v` is. */
const roundToward = (v: number, anchor: number): number => {
  const f = Math.fround(v);
  if (Math.abs(f - anchor) <= Math.abs(v - anchor)) return f;
  // f overshot v away from the anchor: its float32 neighbour towards the anchor lies between them.
  if (f === 0) return anchor > 0 ? MIN_SUBNORMAL : -MIN_SUBNORMAL;
  scratch[0] = f;
  scratchBits[0] = scratchBits[0]! + (f > anchor === f > 0 ? -1 : 1);
  return scratch[0]!;
};

/**
 * GA-PGD (`GA_PGD` of `train_adv.py`): an untargeted attack that ascends the true label's
 * cross-entropy, counting for each image the checks (one before each of the K updates) at which the
 * model still predicted its label. See `guidedAdversarial` for the formula and the constraints.
 * @throws Error when the arrays disagree with the shape or the normalisation, or the oracle answers
 * arrays of the wrong length or a non-finite gradient
 */
export const gaPgd = (query: OracleQuery, oracle: GradientOracle, options: GaPgdOptions, rng: Rng): GaPgdResult => {
  const { epsilon, stepSize, steps, norm } = options;
  const { mean, std } = options.normalization;
  const { height, width, channels } = query.shape;
  const per = height * width * channels;
  const m = query.y.length;
  const x0 = query.x;
  if (x0.length !== m * per) throw new Error(`gaPgd: x has ${x0.length} floats, expected ${m} × ${per}`);
  if (mean.length !== channels || std.length !== channels) throw new Error(`gaPgd: the normalisation must have one mean and std per channel (${channels})`);
  // Per float: the valid box, widened to hold the clean value, intersected for L∞ with the ε-ball.
  const lo = new Float64Array(m * per);
  const hi = new Float64Array(m * per);
  for (let f = 0; f < m * per; f++) {
    const c = f % channels;
    const ball = norm === 'linf' ? epsilon / std[c]! : Infinity;
    lo[f] = Math.max(Math.min((0 - mean[c]!) / std[c]!, x0[f]!), x0[f]! - ball);
    hi[f] = Math.min(Math.max((1 - mean[c]!) / std[c]!, x0[f]!), x0[f]! + ball);
  }
  const x = x0.slice();
  const v = new Float64Array(per);
  /** Projects the candidate `v` of image i onto the constraints and stores it (float32, rounded towards the clean value). */
  const settle = (i: number): void => {
    const base = i * per;
    if (norm === 'l2') {
      let r2 = 0;
      for (let j = 0; j < per; j++) r2 += ((v[j]! - x0[base + j]!) * std[j % channels]!) ** 2;
      const r = Math.sqrt(r2);
      if (r > epsilon) for (let j = 0; j < per; j++) v[j] = x0[base + j]! + (v[j]! - x0[base + j]!) * (epsilon / r);
    }
    for (let j = 0; j < per; j++) x[base + j] = roundToward(Math.min(hi[base + j]!, Math.max(lo[base + j]!, v[j]!)), x0[base + j]!);
  };
  if (options.randomStart && m > 0) {
    const [u] = draw(rng, (d) => Float64Array.from({ length: m * per }, () => 2 * d.uniform() - 1));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < per; j++) v[j] = x0[i * per + j]! + (u[i * per + j]! * epsilon) / std[j % channels]!;
      settle(i);
    }
  }
  const kappa = new Int32Array(m);
  const attacked = new Set(query.y);
  for (let k = 0; k < steps; k++) {
    const { gradient, predicted } = oracle({ x: x.slice(), y: query.y, shape: query.shape });
    if (gradient.length !== m * per || predicted.length !== m) {
      throw new Error(`gaPgd: the oracle answered ${gradient.length} gradient floats and ${predicted.length} predictions for ${m} images of ${per} floats`);
    }
    for (let i = 0; i < m; i++) {
      const p = predicted[i]!;
      if (options.kappaRule === 'label' ? p === query.y[i] : attacked.has(p)) kappa[i] = kappa[i]! + 1;
      const base = i * per;
      if (norm === 'linf') {
        for (let j = 0; j < per; j++) {
          const g = gradient[base + j]!;
          if (!Number.isFinite(g)) throw new Error(`gaPgd: the oracle returned a non-finite gradient (${g}) for image ${i}`);
          v[j] = x[base + j]! + (stepSize / std[j % channels]!) * Math.sign(g);
        }
      } else {
        // ∂L/∂p = (∂L/∂x)/std_c; scaled by its largest entry so that the norm cannot overflow.
        let top = 0;
        for (let j = 0; j < per; j++) {
          const g = gradient[base + j]!;
          if (!Number.isFinite(g)) throw new Error(`gaPgd: the oracle returned a non-finite gradient (${g}) for image ${i}`);
          top = Math.max(top, Math.abs(g / std[j % channels]!));
        }
        let n2 = 0;
        for (let j = 0; j < per; j++) n2 += (gradient[base + j]! / std[j % channels]! / (top || 1)) ** 2;
        const norm2 = Math.sqrt(n2);
        for (let j = 0; j < per; j++) {
          const c = std[j % channels]!;
          v[j] = x[base + j]! + (top > 0 ? (stepSize * (gradient[base + j]! / c / top)) / norm2 / c : 0);
        }
      }
      settle(i);
    }
  }
  return { x, kappa };
};

/**
 * The GAE operator for `config`, with the counts, normalisation and gradient oracle of `setup`.
 * @throws Error for out-of-range config, a setup without an oracle, a normalisation that disagrees
 * with a batch, a mixed batch, or a label outside the counts
 */
export const guidedAdversarial = (config: GuidedAdversarialConfig, setup: TransformSetup): BatchTransform => {
  const { epsilon, steps, adversarialWeight } = config;
  const stepSize = config.stepSize ?? epsilon / 8;
  if (!(epsilon >= 0 && epsilon <= 1)) throw new Error(`guidedAdversarial: epsilon must be in [0, 1] (pixel units), got ${epsilon}`);
  if (!(Number.isInteger(steps) && steps > 0)) throw new Error(`guidedAdversarial: steps must be a positive integer, got ${steps}`);
  if (!(Number.isFinite(stepSize) && stepSize >= 0)) throw new Error(`guidedAdversarial: stepSize must be a finite number ≥ 0, got ${stepSize}`);
  if (!(Number.isFinite(adversarialWeight) && adversarialWeight >= 0)) {
    throw new Error(`guidedAdversarial: adversarialWeight must be a finite number ≥ 0, got ${adversarialWeight}`);
  }
  const { oracle, normalization } = setup;
  if (oracle === undefined) throw new Error('guidedAdversarial: needs a gradient oracle (setup.oracle) from the training context, e.g. modelGradientOracle(model)');
  const channels = normalization.mean.length;
  if (normalization.std.length !== channels || !normalization.std.every((s) => Number.isFinite(s) && s > 0)) {
    throw new Error(`guidedAdversarial: the normalisation needs one positive std per channel (${channels})`);
  }
  const tail = tailClassMask(config.tailClasses, setup.classCounts);
  const options: GaPgdOptions = { epsilon, stepSize, steps, norm: config.norm, randomStart: config.randomStart, kappaRule: config.kappaRule, normalization };
  return (batch: HostBatch, rng): HostBatch => {
    const per = checkBatch(batch, 'guidedAdversarial');
    checkUnmixed(batch, 'guidedAdversarial');
    if (batch.shape.channels !== channels) throw new Error(`guidedAdversarial: the batch has ${batch.shape.channels} channels, the normalisation ${channels}`);
    const rows: number[] = [];
    batch.y.forEach((y, i) => {
      const isTail = tail[y];
      if (isTail === undefined) throw new Error(`guidedAdversarial: label ${y} is outside the ${tail.length} classes of the counts`);
      if (isTail) rows.push(i);
    });
    if (rows.length === 0) return batch;
    const x = new Float32Array(rows.length * per);
    rows.forEach((r, k) => x.set(batch.x.subarray(r * per, (r + 1) * per), k * per));
    const attack = gaPgd({ x, y: Int32Array.from(rows, (r) => batch.y[r]!), shape: batch.shape }, oracle, options, rng);
    const guiding = rows.map((_, k) => k).filter((k) => attack.kappa[k]! < steps);
    if (guiding.length === 0) return batch;
    const n = batch.y.length;
    const m = guiding.length;
    const total = n + m;
    const source = guiding.map((k) => rows[k]!);
    const outX = new Float32Array(total * per);
    outX.set(batch.x);
    guiding.forEach((k, a) => outX.set(attack.x.subarray(k * per, (k + 1) * per), (n + a) * per));
    const weight = new Float32Array(total);
    for (let i = 0; i < n; i++) weight[i] = (total / n) * (batch.weight?.[i] ?? 1);
    source.forEach((r, a) => (weight[n + a] = ((adversarialWeight * total) / m) * (batch.weight?.[r] ?? 1)));
    const out: { -readonly [K in keyof HostBatch]: HostBatch[K] } = {
      ...batch,
      x: outX,
      y: Int32Array.from([...batch.y, ...source.map((r) => batch.y[r]!)]),
      index: Int32Array.from([...batch.index, ...source.map((r) => batch.index[r]!)]),
      weight,
    };
    if (batch.noise !== undefined) out.noise = Uint8Array.from([...batch.noise, ...source.map((r) => batch.noise![r]!)]);
    return out;
  };
};

/** GAE as a registered transform (needs the setup with a gradient oracle). */
export const guidedAdversarialSpec = defineTransform<BatchTransformSpec<GuidedAdversarialConfig>>({
  name: 'gae',
  kind: 'batch',
  usesModel: true,
  summary:
    'GAE: GA-PGD (L∞ ε = 1/255, 8 steps of ε/8) on tail-class images; append those misclassified at some step (κ < steps) with their label (needs setup with a gradient oracle)',
  source:
    'Zhang et al., ICIP 2022 (arXiv 2201.12356); defaults zj-jayzhang/Guided_Adversarial_Examples train_adv.py GA_PGD (ε 1/255, step ε/8, --num_steps 8, tail y ≥ 5 on CIFAR-10)',
  configCodec: GuidedAdversarialConfig,
  defaults: guidedAdversarialDefaults,
  create: (config, setup) => guidedAdversarial(config, requireSetup(setup, 'guidedAdversarial')),
});
