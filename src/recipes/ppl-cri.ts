/**
 * PPL + CRI: the coupling-regulation-imbalance loss (LDAM margins max_m 0.5, s 30, focal γ 1, outlier
 * cap κ 20) on a cosine head, with phased progressive learning: effective-number class weights (β 0.9999)
 * blended in linearly from uniform at 50% of the epochs to fully class-balanced at 80% (epochs 100 → 160
 * of 200), instead of DRW's switch at 160, as a weighted mean.
 *
 * PROVISIONAL on both counts: no official code exists and the paper body was not readable to us, so
 * CRI's form and the ramp (what it controls — the re-weighting strength — and its phase boundaries 50%
 * and 80%) are our methods sheet's conjectured reading of the abstract (methods-A §10), not the paper's.
 * The ramp ends where DRW switches, so the last 20% train fully re-balanced as in LDAM-DRW.
 */
import { defineRecipe, drwEpoch } from './recipe.js';

/** The phase epochs of the ramp: ⌊0.5·epochs⌋ → ⌊0.8·epochs⌋. */
export const pplPhases = (epochs: number): { readonly startEpoch: number; readonly endEpoch: number } => ({
  startEpoch: Math.floor(epochs * 0.5),
  endEpoch: drwEpoch(epochs),
});

/** CRI loss with the phased progressive re-weighting ramp. */
export const pplCriRecipe = defineRecipe({
  name: 'ppl-cri',
  summary: 'CRI loss (provisional: LDAM 0.5/s 30 + focal γ 1 + cap κ 20) on a cosine head + class weights (β 0.9999) ramped in from 50% to 80% of the epochs',
  paper: 'Xu, Cheng, Zhang, Wu, Shao, Liu, Shen, Yao, Xu, "Phased Progressive Learning with Coupling-Regulation-Imbalance Loss for Imbalanced Data Classification", arXiv 2205.12117',
  code: 'no official code (the abstract promises it): conjectured reading of methods-A §10; LDAM-DRW defaults (kaidic/LDAM-DRW: losses.py, cifar_train.py) for margins, s, γ, β',
  overrides: (epochs) => ({
    loss: 'cri',
    lossConfig: { maxMargin: 0.5, scale: 30, gamma: 1, outlierCap: 20 },
    sampler: 'instance',
    head: 'cosine',
    classWeights: null,
    classWeightRamp: { beta: 0.9999, ...pplPhases(epochs) },
    reduction: 'weighted-mean',
    transforms: [],
    sam: null,
    absgd: null,
    bbn: null,
  }),
});
