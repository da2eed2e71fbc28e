/**
 * LDAM-DRW: label-distribution-aware margins (max_m = 0.5, s = 30) on a cosine head, with deferred
 * re-weighting (effective number, β = 0.9999) from 80% of the epochs, as a weighted mean.
 */
import { defineRecipe, drwEpoch } from './recipe.js';

/** LDAM with deferred re-weighting. */
export const ldamDrwRecipe = defineRecipe({
  name: 'ldam-drw',
  summary: 'LDAM loss (max_m 0.5, s 30) on a cosine head + deferred re-weighting (β 0.9999) from 80% of the epochs',
  paper: 'Cao, Wei, Gaidon, Arechiga, Ma, "Learning Imbalanced Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019',
  code: 'kaidic/LDAM-DRW: cifar_train.py --loss_type LDAM --train_rule DRW; losses.py LDAMLoss; models/resnet_cifar.py NormedLinear',
  overrides: (epochs) => ({
    loss: 'ldam',
    lossConfig: { maxMargin: 0.5, scale: 30 },
    sampler: 'instance',
    head: 'cosine',
    classWeights: { beta: 0.9999, fromEpoch: drwEpoch(epochs) },
    reduction: 'weighted-mean',
    transforms: [],
    sam: null,
  }),
});
