/**
 * VS loss + DRW + SAM (Saddle-LongTail): sharpness-aware minimisation with constant ρ from the first
 * epoch, on the vector-scaling loss with deferred re-weighting from 80% of the epochs.
 */
import { defineRecipe, drwEpoch } from './recipe.js';

/** VS-SAM. */
export const vsSamRecipe = defineRecipe({
  name: 'vs-sam',
  summary: 'VS loss (γ 0.3, τ 1) + DRW (β 0.9999 from 80%) + SAM (ρ 0.5 from epoch 0)',
  paper: 'Rangwani, Aithal, Mishra, Babu, "Escaping Saddle Points for Effective Generalization on Class-Imbalanced Data", NeurIPS 2022',
  code: 'val-iisc/Saddle-LongTail: cifar_train_sam.py, sam.py, run.sh (--rho_schedule none; ρ 0.5 is its CIFAR-10-LT CE+DRW value)',
  overrides: (epochs) => ({
    loss: 'vs',
    lossConfig: { gamma: 0.3, tau: 1 },
    sampler: 'instance',
    head: 'linear',
    classWeights: { beta: 0.9999, fromEpoch: drwEpoch(epochs) },
    reduction: 'weighted-mean',
    transforms: [],
    sam: { rho: 0.5, startEpoch: 0 },
  }),
});
