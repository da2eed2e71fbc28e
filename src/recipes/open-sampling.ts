/**
 * Open-Sampling: each batch is followed by as many open-set images, each relabelled every step with
 * ỹ ~ Γ, Γ_i = (α − π_i)/(Kα − 1), α = max π + min π (the complementary distribution), and weighted
 * so that the mean loss is CE_in + η·Σ w_ỹ CE_open/Σ w_ỹ with η = 1; plain CE otherwise.
 *
 * What stands in for the paper's open set (80M TinyImages / 300K random images): generated noise images
 * (`openSetNoise`: per-channel Gaussian with the data's statistics, clipped), a source the official code
 * offers as an option but not the paper's main setting; expect a weaker effect than with natural
 * images. Deliberate deviations: one open image per batch image (officially 512 for a batch of 128),
 * which keeps the objective and raises the variance of the open term; the run's learning-rate schedule.
 */
import { defineRecipe } from './recipe.js';

/** Open-Sampling with generated open-set images. */
export const openSamplingRecipe = defineRecipe({
  name: 'open-sampling',
  summary: 'CE + open-set (generated noise) images labelled by the complementary distribution (α = max π + min π, η 1)',
  paper: 'Wei, Tao, Xie, Feng, An, "Open-Sampling: Exploring Out-of-Distribution Data for Re-balancing Long-tailed Datasets", ICML 2022',
  code: 'hongxin001/open-sampling: alg/ood_noise.py (--alpha -1), scripts/train.sh (--lambda_o 1, -ab 512); open set: generated noise instead of TinyImages',
  overrides: () => ({
    loss: 'ce',
    lossConfig: {},
    sampler: 'instance',
    head: 'linear',
    classWeights: null,
    classWeightRamp: null,
    reduction: 'mean',
    transforms: [{ name: 'open-sampling', config: { alpha: null, eta: 1 } }],
    sam: null,
    absgd: null,
    bbn: null,
  }),
});
