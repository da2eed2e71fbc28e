/** Maximum-margin (HMM) loss on a cosine head with deferred re-weighting, as the official CIFAR command. */
import { defineRecipe, drwEpoch } from './recipe.js';

/** The MM loss recipe. */
export const mmRecipe = defineRecipe({
  name: 'mm',
  summary: 'hard maximum-margin loss (s 19, max_m 1.29, γ 1.528) on a cosine head + DRW from 80% of the epochs',
  paper: 'Kang, Vu, Yoo, "Learning Imbalanced Datasets with Maximum Margin Loss", ICIP 2021',
  code: 'ihaeyong/Maximum-Margin-LDAM: losses.py HMMLoss, README CIFAR command (s=19, max_m=1.29, gamma=1.528), --train_rule DRW',
  overrides: (epochs) => ({
    loss: 'mm',
    lossConfig: { variant: 'hmm', maxMargin: 1.29, gamma: 1.528, scale: 19 },
    sampler: 'instance',
    head: 'cosine',
    classWeights: { beta: 0.9999, fromEpoch: drwEpoch(epochs) },
    reduction: 'weighted-mean',
    transforms: [],
    sam: null,
  }),
});
