/**
 * ABSGD: attentional-biased SGD on cross-entropy, in the official README's two-stage form — the plain
 * mean (λ = 200, the code's "λ = ∞") for the first 80% of the epochs, then attention weights
 * p_i ∝ exp(ℓ_i/λ) with λ = 5, normalised by a moving average (γ 0.7, α 0.5), together with
 * effective-number class weights (β 0.9999) from the same epoch.
 *
 * The switch (`lamda_shots` and `CB_shots` 160 of 200) scales with the budget: ⌊0.8·epochs⌋.
 * Deliberate deviations: the learning-rate schedule, weight decay (README 2e-4) and batch size (100)
 * stay the run's; the README's dropout 0.2 is not modelled.
 */
import { defineRecipe, drwEpoch } from './recipe.js';

/** ABSGD with CB re-weighting, two-stage λ (CIFAR-10-LT settings of the README). */
export const absgdRecipe = defineRecipe({
  name: 'absgd',
  summary: 'CE with attentional-biased SGD: plain mean, then λ 5 (γ 0.7, α 0.5) + CB weights (β 0.9999) from 80% of the epochs',
  paper: 'Qi, Xu, Yin, Jin, Yang, "Attentional-Biased Stochastic Gradient Descent", TMLR 2023 (arXiv 2012.06951)',
  code: 'qiqi-helloworld/ABSGD: README CIFAR-10-LT command (--init_lamda 200 --lamda 5 --lamda_shots 160 --CB_shots 160 --drogamma 0.7 --abAlpha 0.5), mylosses.py, train.py',
  overrides: (epochs) => ({
    loss: 'ce',
    lossConfig: {},
    sampler: 'instance',
    head: 'linear',
    classWeights: { beta: 0.9999, fromEpoch: drwEpoch(epochs) },
    reduction: 'mean',
    transforms: [],
    sam: null,
    absgd: { stage1Lambda: 200, stage2Lambda: 5, switchEpoch: drwEpoch(epochs), gamma: 0.7, alpha: 0.5 },
  }),
});
