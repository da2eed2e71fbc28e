/** Class-balanced resampling with plain cross-entropy (Decoupling's class-balanced sampler, joint training). */
import { defineRecipe } from './recipe.js';

/** CE with class-balanced sampling. */
export const cbResamplingRecipe = defineRecipe({
  name: 'cb-resampling',
  summary: 'cross-entropy with class-balanced sampling (a class uniformly, then a sample), joint training',
  paper: 'Kang, Xie, Rohrbach, Yan, Gordo, Feng, Kalantidis, "Decoupling Representation and Classifier for Long-Tailed Recognition", ICLR 2020',
  code: 'facebookresearch/classifier-balancing: data/ClassAwareSampler.py (here its i.i.d. form)',
  overrides: () => ({ loss: 'ce', lossConfig: {}, sampler: 'class-balanced', head: 'linear', classWeights: null, reduction: 'mean', transforms: [], sam: null }),
});
