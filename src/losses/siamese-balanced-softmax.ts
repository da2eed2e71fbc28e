/**
 * Siamese Balanced Softmax, ResCom's classification term: Balanced Softmax over the Siamese batch.
 *
 * Intuition: ResCom trains the classifier on both augmented views of each image (the "Siamese"
 * batch of 2B samples, built by the step, not the loss) with the prior-shifted softmax of Balanced
 * Softmax, so the classifier's logits estimate the balanced test distribution.
 *
 * Formula: ℓ_i = −log softmax(z_i + log(π + 1e-9))_{y_i},  π_j = n_j / Σ n.
 *
 * Paper: Zhong, Cui, Li, Lo, Sun, Jia, "Rebalanced Siamese Contrastive Mining for Long-Tailed
 * Recognition", arXiv 2203.11506. Code: `dvlab-research/ResCom: ResCom/losses.py` (`SiamBS_SPM.forward`,
 * `logits_cls + torch.log(self.class_prior + 1e-9)`, `nn.CrossEntropyLoss()`, mean over the 2B samples:
 * `reduceLoss(perExample, 'mean')`); no hyper-parameters.
 * Difference from `balanced-softmax`: only the guard (1e-9 as in ResCom, 1e-12 there), which matters
 * for an empty class alone.
 *
 * @see balancedSoftmax, rescom (this term plus the class-balanced contrastive term)
 */
import * as t from 'io-ts';
import { defineLoss } from './loss-spec.js';
import { checkCounts, classPrior } from './internal.js';
import { offsetCrossEntropy } from './logit-adjusted.js';

/** Siamese Balanced Softmax's config: it has no hyper-parameters. */
export const SiameseBalancedSoftmaxConfig = t.type({}, '{}');
/** Siamese Balanced Softmax's config type. */
export type SiameseBalancedSoftmaxConfig = t.TypeOf<typeof SiameseBalancedSoftmaxConfig>;

/** What `siameseBalancedSoftmax.prepare` computes: the offsets log(π_j + 1e-9). */
export interface SiameseBalancedSoftmaxPrepared {
  readonly offsets: readonly number[];
}

/** The offsets log(π_j + 1e-9) of ResCom's Siamese Balanced Softmax. */
export const siameseBalancedSoftmaxOffsets = (counts: readonly number[]): number[] =>
  classPrior(counts).map((p) => Math.log(p + 1e-9));

/** Siamese Balanced Softmax as a registered loss. */
export const siameseBalancedSoftmax = defineLoss<SiameseBalancedSoftmaxConfig, SiameseBalancedSoftmaxPrepared>({
  name: 'siamese-balanced-softmax',
  summary: 'CE on z + log(π_j + 1e-9) over the two-view batch (ResCom’s Siamese Balanced Softmax)',
  source: 'Zhong et al., arXiv 2203.11506; dvlab-research/ResCom ResCom/losses.py SiamBS_SPM (no hyper-parameters)',
  configCodec: SiameseBalancedSoftmaxConfig,
  defaults: {},
  prepare: (_config, counts) => {
    checkCounts(counts, 'siamese-balanced-softmax');
    return { offsets: siameseBalancedSoftmaxOffsets(counts) };
  },
  perExample: ({ logits, labels }, prepared) => offsetCrossEntropy(logits, labels, prepared.offsets),
});
