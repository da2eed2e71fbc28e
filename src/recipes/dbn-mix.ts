/**
 * DBN-Mix: a dual-branch network trained on bilateral-mixup pairs — an instance-sampled batch and a
 * class-balanced one blended with opposite weights λ ≥ ½ — each branch on the mix its own sampler
 * dominates, with class-wise temperature scaling in the loss (ε 0.6, η 3) at train time only;
 * evaluated on the sum of both branches' logits (their mean up to a factor).
 *
 * Deviations: the two branches are BBN's (`bbn-small-cnn`; `--model bbn-resnet32` for CIFAR: one last
 * block per branch and one FC over both), not DBN-Mix's separate layer3 and FCs; the official SGD with
 * Nesterov, lr 0.1 and per-iteration warm-up are not set, the run's schedule stays.
 */
import { defineRecipe } from './recipe.js';

/** DBN-Mix. */
export const dbnMixRecipe = defineRecipe({
  name: 'dbn-mix',
  summary: 'dual-branch network on bilateral mixup (instance × class-balanced, λ ≥ ½) with class-wise temperature scaling (ε 0.6, η 3)',
  paper: 'Baik, Yoon, Choi, "DBN-Mix: Training Dual Branch Network Using Bilateral Mixup Augmentation for Long-Tailed Visual Recognition", Pattern Recognition 147 (2024)',
  code: 'soony1213/DBN-Mix: losses.py (mixup --use-experts, MixLoss), data/imbalance_cifar.py (dual_sampler_type balance), experiments/cifar10.sh',
  overrides: () => ({
    model: 'bbn-small-cnn',
    loss: 'dbn-mix',
    lossConfig: { epsilon: 0.6, eta: 3 },
    sampler: 'instance',
    head: 'linear',
    classWeights: null,
    reduction: 'mean',
    transforms: [],
    sam: null,
    absgd: null,
    bbn: null,
    dbnMix: { rebalancingSampler: 'class-balanced', alpha: 1, clampLambda: true },
  }),
});
