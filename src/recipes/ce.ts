/** Plain cross-entropy with instance-balanced sampling: the baseline every table compares against. */
import { defineRecipe } from './recipe.js';

/** The CE baseline. */
export const ceRecipe = defineRecipe({
  name: 'ce',
  summary: 'softmax cross-entropy, instance-balanced sampling (the baseline)',
  paper: 'the baseline of every long-tail paper (e.g. Cao et al., NeurIPS 2019, Table 2 "ERM")',
  code: "kaidic/LDAM-DRW: cifar_train.py --loss_type CE --train_rule None",
  overrides: () => ({ loss: 'ce', lossConfig: {}, sampler: 'instance', head: 'linear', classWeights: null, reduction: 'mean', transforms: [], sam: null }),
});
