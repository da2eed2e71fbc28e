/** Vector-scaling loss (γ = 0.3, τ = 1) without SAM (the SAM variant needs the SAM optimiser). */
import { defineRecipe } from './recipe.js';

/** VS loss. */
export const vsRecipe = defineRecipe({
  name: 'vs',
  summary: 'vector-scaling loss (multiplicative γ = 0.3 and additive τ = 1 logit adjustments)',
  paper: 'Kini, Paraskevas, Oymak, Thrampoulidis, "Label-Imbalanced and Group-Sensitive Classification under Overparameterization", NeurIPS 2021',
  code: 'orparask/VS-Loss: class_imbalance/losses.py VSLoss, train.py (gamma=0.3, tau=1.0)',
  overrides: () => ({ loss: 'vs', lossConfig: { gamma: 0.3, tau: 1 }, sampler: 'instance', head: 'linear', classWeights: null, reduction: 'mean', transforms: [], sam: null }),
});
