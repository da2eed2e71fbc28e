/**
 * LM-Softmax with the zero-centroid regulariser: the largest-margin softmax (1/s)·log Σ_{j≠y} e^{s(z_j − z_y)}
 * (s = 64) on a cosine head, plus λ_w·‖mean_j w_j/‖w_j‖‖² on the classifier's prototypes, the paper's
 * class-imbalanced setting.
 *
 * The run passes the classifier kernel to the loss (`withClassifierKernel`), so the regulariser has its
 * exact prototype form (not the logit form). λ_w = 1 is ours: the paper's value is unknown to us; 1 is
 * the registry's `zero-centroid` default, and it puts R_w ∈ [0, 1] on the scale of the LM term
 * divided by s (≈ max_{j≠y}(z_j − z_y) ∈ [−2, 2]). No official code: the 1/s and s = 64 follow the
 * third-party `LMSoftmaxLoss` the loss's doc names. The learning-rate schedule stays the run's.
 */
import { defineRecipe } from './recipe.js';

/** LM-Softmax + zero-centroid regularisation on a cosine head. */
export const lmSoftmaxRecipe = defineRecipe({
  name: 'lm-softmax',
  summary: 'Largest-margin softmax (s 64, ÷ s) + zero-centroid regulariser (λ_w 1, exact prototype form) on a cosine head',
  paper: 'Zhou, Liu, Zhai, Jiang, Gao, Ji, "Learning Towards the Largest Margins", ICLR 2022 (arXiv 2206.11589)',
  code: 'no official code available to us: a third-party LMSoftmaxLoss (scale 64, ÷ s) for the loss, methods-B §10 for the zero-centroid form; λ_w = 1 ours',
  overrides: () => ({
    loss: 'lm-softmax',
    lossConfig: { scale: 64, divideByScale: true, sampleMarginWeight: 0, zeroCentroidWeight: 1 },
    sampler: 'instance',
    head: 'cosine',
    classWeights: null,
    classWeightRamp: null,
    reduction: 'mean',
    transforms: [],
    sam: null,
    absgd: null,
    bbn: null,
  }),
});
