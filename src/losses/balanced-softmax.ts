/**
 * Balanced Softmax: cross-entropy on logits shifted by the log class counts.
 *
 * Intuition: the softmax of a model trained on a long-tailed set is biased by the label prior;
 * training the prior-shifted softmax leaves z itself an estimate for the balanced test distribution.
 *
 * Formula: ℓ_i = −log( n_{y_i} e^{z_{i,y_i}} / Σ_j n_j e^{z_{i,j}} ) = −log softmax(z_i + log n)_{y_i}.
 * Implemented as z + log(π_j + 1e-12), π_j = n_j/Σn: log π and log n differ by the constant log Σn,
 * which softmax ignores, so the values equal the official ones for non-empty classes.
 *
 * Paper: Ren, Yu, Sheng, Ma, Zhao, Yi, Li, "Balanced Meta-Softmax for Long-Tailed Visual
 * Recognition", NeurIPS 2020. Code: `jiawei-ren/BalancedMetaSoftmax-Classification:
 * loss/BalancedSoftmaxLoss.py` (`logits + spc.log()`, no hyper-parameters; read in copies that cite
 * that file, the file itself is not in the index this was written from); the same
 * form in `zhangyongshun/BagofTricks-LT: lib/loss/loss_impl/balanced_softmax_cross_entropy_loss.py`.
 * Deviation: the 1e-12 guard (ResCom's Siamese Balanced Softmax uses log(π + 1e-9)) keeps a class with
 * no samples finite, where log 0 would be −∞ in the official code.
 *
 * @see logitAdjusted (τ = 1 is the same loss), crossEntropy (uniform counts)
 */
import * as t from 'io-ts';
import { defineLoss } from './loss-spec.js';
import { checkCounts, classPrior } from './internal.js';
import { offsetCrossEntropy } from './logit-adjusted.js';

/** Balanced Softmax's config: it has no hyper-parameters. */
export const BalancedSoftmaxConfig = t.type({}, '{}');
/** Balanced Softmax's config type. */
export type BalancedSoftmaxConfig = t.TypeOf<typeof BalancedSoftmaxConfig>;

/** What `balancedSoftmax.prepare` computes: the offsets log(π_j + 1e-12). */
export interface BalancedSoftmaxPrepared {
  readonly offsets: readonly number[];
}

/** Balanced Softmax as a registered loss. */
export const balancedSoftmax = defineLoss<BalancedSoftmaxConfig, BalancedSoftmaxPrepared>({
  name: 'balanced-softmax',
  summary: 'CE on z + log n_j (Balanced Softmax)',
  source: 'Ren et al., NeurIPS 2020; jiawei-ren/BalancedMetaSoftmax-Classification loss/BalancedSoftmaxLoss.py',
  configCodec: BalancedSoftmaxConfig,
  defaults: {},
  prepare: (_config, counts) => {
    checkCounts(counts, 'balanced-softmax');
    return { offsets: classPrior(counts).map((p) => Math.log(p + 1e-12)) };
  },
  perExample: ({ logits, labels }, prepared) => offsetCrossEntropy(logits, labels, prepared.offsets),
});
