/**
 * PAL for class imbalance: class prototypes anchored at a regular simplex (fixed, unit, pairwise cosine
 * −1/(K − 1); head 'prototypes') and the LDAM-DRW base loss on s·cos(x, w_j): LDAM margins (max_m 0.5,
 * s 30) with deferred re-weighting (effective number, β 0.9999) from 80% of the epochs, as a weighted mean.
 *
 * An approximation of PAL, not a verified re-implementation: no official code is available to us and
 * only the abstract could be read; fixed simplex prototypes + LDAM-DRW is our methods sheet's recalled
 * reading (methods-A §5). Needs D ≥ K − 1 feature dimensions (the small CNN has 128). The
 * learning-rate schedule and weight decay stay the run's.
 */
import { defineRecipe, drwEpoch } from './recipe.js';

/** Prototype-anchored learning with the LDAM-DRW base loss. */
export const palRecipe = defineRecipe({
  name: 'pal',
  summary: 'Fixed simplex-ETF prototypes head + LDAM on s·cos (max_m 0.5, s 30) + DRW (β 0.9999 from 80% of the epochs)',
  paper: 'Zhou, Liu, Zhai, Jiang, Gao, Ji, "Prototype-Anchored Learning for Learning with Imperfect Annotations", ICML 2022 (arXiv 2206.11602)',
  code: 'no official code available to us (methods-A §5, recalled reading); base loss kaidic/LDAM-DRW: losses.py LDAMLoss, cifar_train.py --train_rule DRW',
  overrides: (epochs) => ({
    loss: 'pal',
    lossConfig: { base: 'ldam', maxMargin: 0.5, scale: 30 },
    sampler: 'instance',
    head: 'prototypes',
    classWeights: { beta: 0.9999, fromEpoch: drwEpoch(epochs) },
    classWeightRamp: null,
    reduction: 'weighted-mean',
    transforms: [],
    sam: null,
    absgd: null,
    bbn: null,
  }),
});
