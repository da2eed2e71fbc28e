/** Class-dependent temperatures (γ = 0.3 as VS-Loss's CDT setting). */
import { defineRecipe } from './recipe.js';

/** CDT. */
export const cdtRecipe = defineRecipe({
  name: 'cdt',
  summary: 'class-dependent temperature cross-entropy, γ = 0.3',
  paper: 'Ye, Chen, Zhan, Chao, "Identifying and Compensating for Feature Deviation in Imbalanced Deep Learning", arXiv 2020',
  code: 'no official code; orparask/VS-Loss: class_imbalance/losses.py VSLoss(tau=0, gamma) and train.py (gamma=0.3)',
  overrides: () => ({ loss: 'cdt', lossConfig: { gamma: 0.3 }, sampler: 'instance', head: 'linear', classWeights: null, reduction: 'mean', transforms: [], sam: null }),
});
