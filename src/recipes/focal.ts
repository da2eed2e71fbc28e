/** Focal loss (γ = 1, the LDAM-DRW repo's baseline setting). */
import { defineRecipe } from './recipe.js';

/** Focal loss. */
export const focalRecipe = defineRecipe({
  name: 'focal',
  summary: 'focal loss, γ = 1',
  paper: 'Lin, Goyal, Girshick, He, Dollár, "Focal Loss for Dense Object Detection", ICCV 2017',
  code: 'kaidic/LDAM-DRW: losses.py FocalLoss, cifar_train.py --loss_type Focal (gamma=1)',
  overrides: () => ({ loss: 'focal', lossConfig: { gamma: 1 }, sampler: 'instance', head: 'linear', classWeights: null, reduction: 'mean', transforms: [], sam: null }),
});
