/**
 * ResCom: Siamese Balanced Softmax (logits + log π) plus λ = 1 times the class-balanced supervised
 * contrastive loss (τ 0.1, anchor weights from the effective number with β 0.999) on the model's
 * features, within the batch; plain mean over the batch.
 *
 * Deliberate deviations (the registered `rescom` loss): no class-balanced memory queue and no hard
 * positive/negative mining, no projection MLP (the loss normalises the backbone's features), and one
 * view per image instead of the Siamese two-view batch, so an anchor's positives are the other images
 * of its class in the batch (an anchor without one contributes 0, as in the official code). The
 * official CIFAR schedule (400 epochs, warm-up 10, ×0.1 at 80% and ×0.01 at 90%; `logger.py` lr 0.02,
 * wd 5e-4) has the run defaults' shape; batch size and AutoAugment/Cutout stay the run's.
 */
import { defineRecipe } from './recipe.js';

/** ResCom's loss on the ordinary stream. */
export const rescomRecipe = defineRecipe({
  name: 'rescom',
  summary: 'Siamese Balanced Softmax + class-balanced SupCon on the features (λ 1, τ 0.1, β 0.999), within the batch',
  paper: 'Zhong, Cui, Li, Lo, Sun, Jia, "Rebalanced Siamese Contrastive Mining for Long-Tailed Recognition", arXiv 2203.11506',
  code: 'dvlab-research/ResCom: ResCom/losses.py SiamBS_SPM (β 0.999), ResCom/logger.py (con_weight 1, temperature 0.1, lr 0.02, wd 5e-4)',
  overrides: () => ({
    loss: 'rescom',
    lossConfig: { temperature: 0.1, effectiveNumBeta: 0.999, conWeight: 1 },
    sampler: 'instance',
    head: 'linear',
    classWeights: null,
    classWeightRamp: null,
    reduction: 'mean',
    transforms: [],
    sam: null,
    absgd: null,
    bbn: null,
  }),
});
