/**
 * AutoBalance, search phase: the parametric cross-entropy −log softmax(sigmoid(dy)⊙z + ly)_y (dy from
 * ones, ly from zeros, weights fixed at 1) whose (dy, ly) move every 20 steps down the hypergradient of
 * a balanced validation CE (raw logits, ω_c ∝ N/n_c) on an 80/20 class-stratified split of the training
 * subset, with SGD (lr 0.01, momentum 0.9, weight decay 1e-4) from 40% of the epochs on (epoch 120 of
 * 300), one group per class (CIFAR-10's `group_size: 1`).
 *
 * Only the search phase: the code's second phase (`retraining.py`: a fresh network trained on the whole
 * subset with the found (dy, ly) fixed, 200 epochs) is not part of the recipe: it is a second run of
 * the `autobalance` loss with `lossConfig` set to `retrainLossConfig` from the run folder's
 * `autobalance.json` (the found per-class values as `values`). The hypergradient is a one-step lookahead through
 * the classifier layer, not the code's Neumann-series implicit gradient (see `autoBalanceHypergradient`).
 */
import { AUTOBALANCE_DEFAULTS } from '../train/autobalance.js';
import { defineRecipe } from './recipe.js';

/** The first epoch with hyper-steps: 40% of the epochs (120 of 300 in `configs/cifar10/dyly_no_init/1.yaml`). */
export const autoBalanceStartEpoch = (epochs: number): number => Math.floor(epochs * 0.4);

/** AutoBalance's loss search (the search phase). */
export const autoBalanceRecipe = defineRecipe({
  name: 'autobalance',
  summary: 'AutoBalance search: parametric CE sigmoid(dy)·z + ly with (dy, ly) learned by a balanced validation hypergradient (80/20 split, every 20 steps)',
  paper: 'Li, Zhang, Thrampoulidis, Chen, Oymak, "AutoBalance: Optimized Loss Functions for Imbalanced Data", NeurIPS 2021',
  code: 'ucr-optml/AutoBalance: loss_search.py, core/trainer.py, core/utils.py, configs/cifar10/dyly_no_init/1.yaml (search phase only)',
  overrides: (epochs) => ({
    loss: 'autobalance',
    lossConfig: { parametrisation: 'sigmoid', dyInit: 'ones', lyInit: 'zeros' },
    sampler: 'instance',
    head: 'linear',
    classWeights: null,
    classWeightRamp: null,
    reduction: 'mean',
    transforms: [],
    sam: null,
    absgd: null,
    bbn: null,
    ot: null,
    // The code's settings, from 40% of the epochs on.
    autobalance: { ...AUTOBALANCE_DEFAULTS, startEpoch: autoBalanceStartEpoch(epochs) },
  }),
});
