/**
 * OPeN: deferred oversampling with pure noise. Plain CE on the instance sampler until 80% of the epochs
 * (160 of 200), then the class-balanced oversampler, on whose batches each image of class y is
 * replaced w.p. δ·(1 − n_y/n_max) (δ = 1/3) by per-channel Gaussian noise that keeps the label; a
 * DAR-BN model normalises the noise images with their own batch statistics: `dar-small-cnn` for the
 * digit datasets, `--model dar-resnet32` for CIFAR (the run trains through `noiseRoutedStepFunction`).
 *
 * Defaults from the reproduction `seungjaeryanlee/pure-noise` (the official repository has no code):
 * δ 1/3, noise N(μ_c, σ_c) clipped, oversampling and OPeN from epoch 160 of 200, scaled to ⌊0.8·epochs⌋.
 * Deliberate deviations: the small CNN (or ResNet-32) instead of the WideResNet-28-10 (with dropout 0.3)
 * of the main results, and the run's augmentation (not Cutout, colour jitter, greyscale, blur); noise is made in
 * pixel space and normalised like the data (`pureNoise`). With a model without DAR-BN (`--model
 * small-cnn`, which has no batch norm) the noise marks are not used, the paper's no-DAR-BN ablation.
 */
import { defineRecipe, drwEpoch } from './recipe.js';

/** OPeN with DAR-BN. */
export const openRecipe = defineRecipe({
  name: 'open',
  summary: 'CE; from 80% of the epochs class-balanced oversampling + pure-noise images (δ 1/3) on a DAR-BN model (dar-small-cnn; dar-resnet32 for CIFAR)',
  paper: 'Zada, Benou, Irani, "Pure Noise to the Rescue of Insufficient Data: Improving Imbalanced Classification by Training on Random Noise Images", ICML 2022',
  code: 'shiranzada/pure-noise has no code; reproduction seungjaeryanlee/pure-noise: replace_with_pure_noise.py (δ 1/3), models/dar_bn.py, train config (epoch 160 of 200)',
  overrides: (epochs) => ({
    model: 'dar-small-cnn',
    loss: 'ce',
    lossConfig: {},
    sampler: 'instance',
    deferredResampling: { sampler: 'class-balanced', fromEpoch: drwEpoch(epochs) },
    head: 'linear',
    classWeights: null,
    classWeightRamp: null,
    reduction: 'mean',
    transforms: [{ name: 'pure-noise', config: { delta: 1 / 3, startEpoch: drwEpoch(epochs) } }],
    sam: null,
    absgd: null,
    bbn: null,
  }),
});
