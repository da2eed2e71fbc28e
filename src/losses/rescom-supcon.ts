/**
 * ResCom's class-balanced supervised contrastive loss, within the batch (and, optionally, with
 * hard positives and negatives mined from a class-balanced queue).
 *
 * Intuition: pull L2-normalised features of the same class together and push other classes away;
 * each anchor's loss is weighted by the inverse effective number of its class, so the few tail
 * anchors count as much as the many head ones.
 *
 * Formula, features f_i normalised to f̂_i = f_i / max(‖f_i‖, 1e-12), temperature τ:
 *   s_ij   = f̂_i · f̂_j / τ  for j ≠ i  (the anchor itself is left out)
 *   ℓ_i    = −Σ_{j∈P(i)} log( e^{s_ij} / Σ_{k≠i} e^{s_ik} ) / (|P(i)| + 1e-9),   P(i) = {j ≠ i : y_j = y_i}
 *   out_i  = w_{y_i} · ℓ_i,   w_c = mean_k(E_k) / E_c,   E_c = (1 − β^{n_c}) / (1 − β)
 * (an anchor without a positive in the batch contributes 0, as in the official code). With a queue
 * (`rescomContrastivePerExample`'s `queue`), each row of s also holds the K_pos least similar keys of
 * the anchor's own class (targets 1) and the K_neg most similar keys of other classes (targets 0).
 *
 * Paper: Zhong, Cui, Li, Lo, Sun, Jia, "Rebalanced Siamese Contrastive Mining for Long-Tailed
 * Recognition", arXiv 2203.11506. Code (read at the snapshot fetched for this port):
 * `dvlab-research/ResCom: ResCom/losses.py` (`SiamBS_SPM`: KLDivLoss with 0/1 targets on the log
 * softmax, / (Σ targets + 1e-9), weights `sum(E)/len(E)/E`, `.mean()` over the 2B anchors),
 * `ResCom/rescom/builder.py` (in-batch similarities with the diagonal removed, hard mining with topk).
 * Defaults: τ = 0.1 (`logger.py`); β = 0.999, the `SiamBS_SPM` signature default (the `logger.py`
 * default β = 0 turns the class weighting off; the per-dataset yaml files are not released).
 * Reduction: the official loss is the mean over the anchors, `reduceLoss(perExample, 'mean')`.
 * Deviations: an empty class counts as one sample (E = 1; the official weight is 1/0); β = 1 is the
 * limit E_c = n_c. ResCom feeds the output of a projection MLP; this loss normalises whatever
 * `features` the step passes.
 *
 * @see rescom (with Siamese Balanced Softmax, the loss ResCom trains), createClassBalancedQueue
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { Positive, Probability } from '../config/codecs.js';
import type { ClassCounts } from '../core/class-counts.js';
import { UserError } from '../core/errors.js';
import { defineLoss, type LossInputs } from './loss-spec.js';
import { checkCounts, oneHotOf } from './internal.js';

/** ResCom SupCon's config. */
export const RescomSupconConfig = t.type({
  /** Temperature τ > 0 of the similarities (`temperature`). */
  temperature: Positive,
  /** β of the effective number in the anchor weights (`effective_num_beta`); 0 = no weighting. */
  effectiveNumBeta: Probability,
});
/** ResCom SupCon's config type. */
export type RescomSupconConfig = t.TypeOf<typeof RescomSupconConfig>;

/** What `rescomSupcon.prepare` computes. */
export interface RescomSupconPrepared {
  readonly temperature: number;
  /** w_c = mean(E)/E_c per class. */
  readonly classWeights: readonly number[];
}

/**
 * ResCom's anchor weights w_c = mean_k(E_k)/E_c with E_c = (1 − β^{n_c})/(1 − β): mean 1 in E, not sum C.
 * β = 0 gives all ones, β = 1 the limit E_c = n_c; an empty class counts as one sample.
 */
export const rescomClassWeights = (counts: ClassCounts, beta: number): number[] => {
  if (beta === 0) return counts.map(() => 1);
  const effective = counts.map((count) => {
    const n = Math.max(count, 1);
    return beta === 1 ? n : -Math.expm1(n * Math.log(beta)) / (1 - beta);
  });
  const meanE = effective.reduce((a, b) => a + b, 0) / effective.length;
  return effective.map((e) => meanE / e);
};

/** Hard keys mined from a class-balanced queue (see `createClassBalancedQueue`). */
export interface MinedQueue {
  /** [C·Q, D] keys, already L2-normalised, class c in rows c·Q … c·Q + Q − 1. */
  readonly keys: tf.Tensor2D;
  /** [C·Q] int32 class of each key row. */
  readonly keyLabels: tf.Tensor1D;
  /** K_pos: the least similar keys of the anchor's own class kept per anchor (`select_num_pos`). */
  readonly positives: number;
  /** K_neg: the most similar keys of other classes kept per anchor (`select_num_neg`). */
  readonly negatives: number;
}

/** The [N, D] features of a loss that needs them, or a UserError naming the loss. */
export const requireFeatures = (inputs: LossInputs, lossName: string): tf.Tensor2D => {
  if (inputs.features === undefined) {
    throw new UserError('bad-config', `${lossName} needs the [N, D] features in its inputs, and none were given.`);
  }
  if (inputs.features.shape[0] !== inputs.logits.shape[0]) {
    throw new UserError(
      'bad-config',
      `${lossName}: features have ${inputs.features.shape[0]} rows but logits have ${inputs.logits.shape[0]}.`,
    );
  }
  return inputs.features;
};

/**
 * Rows of `x` scaled to unit L2 norm (norm floored at 1e-12, as torch's `F.normalize`), written as
 * √max(Σx², 1e-24) so an all-zero row has a zero gradient instead of NaN (found by verifyLoss).
 */
export const l2Normalise = (x: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-24))) as tf.Tensor2D);

/** Large negative added to excluded logits (e^{−1e9} = 0, and 0 · (−1e9) stays 0, unlike −∞). */
const EXCLUDED = -1e9;

/**
 * The k largest entries of each row of `x` ([N, M] → [N, k]); the gradient flows back to the chosen
 * entries only. tfjs-core has no TopK gradient, so the selection runs inside a custom gradient
 * (its inner ops are not taped) and the backward pass scatters dy onto the saved indices.
 */
const topKWithGrad = (x: tf.Tensor2D, k: number): tf.Tensor2D =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const { values, indices } = tf.topk(input, k);
    save([indices]);
    return {
      value: values,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.sum(tf.mul(tf.oneHot(saved[0] as tf.Tensor2D, input.shape[1]), tf.expandDims(dy, 2)), 1),
    };
  })(x) as tf.Tensor2D;

/**
 * Per-anchor contrastive loss ℓ_i weighted by w_{y_i} (see the module doc) of `features` [N, D] with
 * int labels [N]. Without `queue` it is the within-batch form the registered loss uses; with one it
 * appends the mined hard positives and negatives (ResCom's `SiamBS_SPM` on `builder.py`'s logits).
 * Call inside a tidy scope or read the result and dispose it.
 * @throws UserError (kind 'bad-config') when the queue cannot supply K_pos own-class or K_neg other-class keys
 */
export const rescomContrastivePerExample = (
  features: tf.Tensor2D,
  labels: tf.Tensor1D,
  prepared: RescomSupconPrepared,
  queue?: MinedQueue,
): tf.Tensor1D =>
  tf.tidy(() => {
    const n = features.shape[0];
    const numClasses = prepared.classWeights.length;
    const f = l2Normalise(features);
    const y = tf.cast(labels, 'int32') as tf.Tensor1D;
    const eye = tf.eye(n);
    const sameClass = tf.cast(tf.equal(tf.expandDims(y, 1), tf.expandDims(y, 0)), 'float32');
    const batchLogits = tf.add(tf.div(tf.matMul(f, f, false, true), prepared.temperature), tf.mul(eye, EXCLUDED));
    const batchTargets = tf.mul(sameClass, tf.sub(1, eye));
    let logits: tf.Tensor2D = batchLogits as tf.Tensor2D;
    let targets: tf.Tensor2D = batchTargets as tf.Tensor2D;
    if (queue !== undefined) {
      const slots = queue.keys.shape[0];
      const perClass = slots / numClasses;
      if (!(queue.positives <= perClass && queue.negatives <= slots - perClass)) {
        throw new UserError(
          'bad-config',
          `rescom-supcon: a queue of ${perClass} key(s) per class cannot give ${queue.positives} hard positive(s) and ${queue.negatives} hard negative(s) per anchor.`,
        );
      }
      const sims = tf.matMul(f, queue.keys, false, true); // [N, C·Q]
      const own = tf.gather(oneHotOf(y, numClasses), tf.cast(queue.keyLabels, 'int32'), 1); // [N, C·Q]
      const other = tf.sub(1, own);
      const parts: tf.Tensor2D[] = [logits];
      const partTargets: tf.Tensor2D[] = [targets];
      if (queue.positives > 0) {
        // Hard positives: the least similar own-class keys (topk of −s over own slots).
        const hardest = tf.neg(topKWithGrad(tf.add(tf.neg(tf.mul(sims, own)), tf.mul(other, EXCLUDED)) as tf.Tensor2D, queue.positives));
        parts.push(tf.div(hardest, prepared.temperature) as tf.Tensor2D);
        partTargets.push(tf.ones([n, queue.positives]));
      }
      if (queue.negatives > 0) {
        // Hard negatives: the most similar other-class keys.
        const hardest = topKWithGrad(tf.add(tf.mul(sims, other), tf.mul(own, EXCLUDED)) as tf.Tensor2D, queue.negatives);
        parts.push(tf.div(hardest, prepared.temperature) as tf.Tensor2D);
        partTargets.push(tf.zeros([n, queue.negatives]));
      }
      logits = tf.concat(parts, 1);
      targets = tf.concat(partTargets, 1);
    }
    const perAnchor = tf.div(tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)), tf.add(tf.sum(targets, 1), 1e-9));
    const w = tf.gather(tf.tensor1d(prepared.classWeights as number[], 'float32'), y);
    return tf.mul(w, perAnchor) as tf.Tensor1D;
  });

/** ResCom's class-balanced SupCon (within-batch form) as a registered loss; it reads `features`. */
export const rescomSupcon = defineLoss<RescomSupconConfig, RescomSupconPrepared>({
  name: 'rescom-supcon',
  summary: 'class-balanced supervised contrastive loss on L2-normalised features, anchors weighted mean(E)/E_y (ResCom, within batch)',
  source: 'Zhong et al., arXiv 2203.11506; dvlab-research/ResCom ResCom/losses.py SiamBS_SPM, logger.py (τ = 0.1; β = 0.999 from the SiamBS_SPM signature)',
  configCodec: RescomSupconConfig,
  defaults: { temperature: 0.1, effectiveNumBeta: 0.999 },
  needs: ['features'],
  prepare: (config, counts) => {
    checkCounts(counts, 'rescom-supcon');
    return { temperature: config.temperature, classWeights: rescomClassWeights(counts, config.effectiveNumBeta) };
  },
  perExample: (inputs, prepared) =>
    rescomContrastivePerExample(requireFeatures(inputs, 'rescom-supcon'), inputs.labels, prepared),
});
