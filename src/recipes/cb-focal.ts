/** Class-balanced focal loss: effective-number weights (β = 0.9999) on the sigmoid focal loss (γ = 1). */
import { defineRecipe } from './recipe.js';

/** Class-balanced focal loss. */
export const cbFocalRecipe = defineRecipe({
  name: 'cb-focal',
  summary: 'class-balanced (effective number, β = 0.9999) sigmoid focal loss, γ = 1',
  paper: 'Cui, Jia, Lin, Song, Belongie, "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019',
  code: 'richardaecn/class-balanced-loss: src/cifar_main.py, cifar_im_trainval_cb.sh (beta=0.9999, gamma=1.0)',
  overrides: () => ({
    loss: 'class-balanced',
    lossConfig: { beta: 0.9999, variant: 'focal', gamma: 1 },
    sampler: 'instance',
    head: 'linear',
    classWeights: null,
    reduction: 'mean',
    transforms: [],
    sam: null,
  }),
});
