/** Balanced Softmax: the class prior added to the logits inside the softmax during training. */
import { defineRecipe } from './recipe.js';

/** Balanced Softmax. */
export const balancedSoftmaxRecipe = defineRecipe({
  name: 'balanced-softmax',
  summary: 'balanced softmax cross-entropy (logits + log prior in training), instance sampling',
  paper: 'Ren, Yu, Ma, Zhao, Yi, Li, "Balanced Meta-Softmax for Long-Tailed Visual Recognition", NeurIPS 2020',
  code: 'jiawei-ren/BalancedMetaSoftmax: loss/BalancedSoftmaxLoss.py (without the meta sampler)',
  overrides: () => ({ loss: 'balanced-softmax', lossConfig: {}, sampler: 'instance', head: 'linear', classWeights: null, reduction: 'mean', transforms: [], sam: null }),
});
