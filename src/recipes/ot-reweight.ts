/**
 * OT re-weighting: per-sample weights (starting at the class-balanced weights, β 0.9999) moved each step
 * by one gradient step on the entropic OT cost (ε 0.1, combined feature + label cost) between the
 * weighted batch and a balanced meta set of class prototypes (10 images per class), and a loss
 * Σ w·CE + 10·mean CE(meta).
 *
 * Deliberate deviations (see `createOtReweighting`): one training run from scratch on the whole network
 * (the code's stage 2 trains only the last layer of a stage-1 checkpoint at lr 2e-5, batch 16), meta
 * images drawn from the training subset, features from inference-mode passes made each step. The
 * recipe sets lr 0.001: the loss is a weighted sum over the batch plus 10× the meta mean, some 20× a
 * mean CE, and at the run default 0.02 the small CNN fell to chance on MNIST-LT (balanced accuracy 0.10
 * after 2×12 steps of 32; 0.63 at lr 0.001, plain CE at 0.02: 0.41).
 */
import { defineRecipe } from './recipe.js';

/** OT re-weighting (combined cost, prototype meta set). */
export const otReweightRecipe = defineRecipe({
  name: 'ot-reweight',
  summary: 'CE with per-sample weights learned by entropic OT to a balanced prototype meta set (ε 0.1, combined cost, + 10·meta CE)',
  paper: 'Guo, Li, Zheng, Zhao, Zhou, Zha, "Learning to Re-weight Examples with Optimal Transport for Imbalanced Classification", NeurIPS 2022',
  code: 'DandanGuo1993/reweight-imbalance-classification-with-OT: OT_train.py (--cost combined, meta_set prototype, num_meta 10), Sinkhorn_distance.py',
  overrides: () => ({
    loss: 'ce',
    lossConfig: {},
    lr: 0.001,
    sampler: 'instance',
    head: 'linear',
    classWeights: null,
    reduction: 'mean',
    transforms: [],
    sam: null,
    absgd: null,
    bbn: null,
    ot: { metaPerClass: 10, cost: 'combined', epsilon: 0.1, lr: 0.01, weightDecay: 5e-4, beta: 0.9999, metaLossWeight: 10 },
  }),
});
