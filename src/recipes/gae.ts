/**
 * GAE (guiding adversarial examples): stage 1 plain cross-entropy; stage 2 fine-tunes every weight at
 * lr 0.001 with batch norm in inference mode, each batch extended by the `gae` operator's guiding
 * adversarial examples (tail images a GA-PGD attack carried across the biased boundary, with their tail
 * label; ε 1/255, 8 steps of ε/8).
 *
 * Defaults from `zj-jayzhang/Guided_Adversarial_Examples: train_adv.py` @564c26d: `--lr 0.001`, momentum
 * 0.9; `GA_PGD` calls `model.eval()` and nothing switches back, so fine-tuning runs with frozen batch-norm
 * statistics (here `batchNorm: 'inference'`). The README fine-tunes "for several epochs"; stage 2 takes
 * ⌈epochs/10⌉ here. Its `adjust_learning_rate` (1-indexed e ≤ 10: lr, 11–29: 0.1·lr, 30–59: 0.01·lr,
 * then lr again) is scaled to the stage by `gaeMilestones`.
 * Deliberate deviations: weight decay stays the run's (official 2e-4); stage 1 is CE with the run's
 * schedule (the official one uses LDAM-DRW's); a batch without tail samples trains on its clean loss
 * (the official step skips it; see `guidedAdversarial`).
 */
import { defineRecipe } from './recipe.js';
import type { RunConfig } from './run-config.js';

/** Stage-2 epochs of GAE for a stage 1 of `epochs`: "several", ⌈epochs/10⌉. */
export const gaeEpochs = (epochs: number): number => Math.max(1, Math.ceil(epochs / 10));

/**
 * The official fine-tuning schedule's shape over a stage of `epochs` epochs: its decay part (60 epochs
 * before the reset) scaled to the stage, ×0.1 from ⌈epochs·10/60⌉ and ×0.01 from ⌈epochs·29/60⌉
 * (0-based stage epochs); a milestone at or after the stage's end, or overtaken at the same epoch, is dropped.
 * E.g. 6 epochs: lr, 0.1·lr, 0.1·lr, 0.01·lr, 0.01·lr, 0.01·lr (the official 60 in tenths); 1 epoch: lr.
 */
export const gaeMilestones = (epochs: number): RunConfig['milestones'] => {
  const all = [
    { epoch: Math.ceil((epochs * 10) / 60), factor: 0.1 },
    { epoch: Math.ceil((epochs * 29) / 60), factor: 0.01 },
  ];
  return all.filter((m, i) => m.epoch < epochs && !all.slice(i + 1).some((later) => later.epoch === m.epoch));
};

/** GAE: CE, then fine-tuning with guiding adversarial examples. */
export const gaeRecipe = defineRecipe({
  name: 'gae',
  summary: 'two stages: CE, then fine-tuning of all weights (lr 0.001, batch norm frozen) with guiding adversarial tail examples (epochs/10)',
  paper: 'Zhang, Zhang, Li, Wu, "Adversarial Examples for Good: Adversarial Examples Guided Imbalanced Learning", ICIP 2022 (arXiv 2201.12356)',
  code: 'zj-jayzhang/Guided_Adversarial_Examples: train_adv.py @564c26d (GA_PGD, --lr 0.001, adjust_learning_rate); cifar_train.py for stage 1',
  overrides: (epochs) => ({
    loss: 'ce',
    lossConfig: {},
    sampler: 'instance',
    head: 'linear',
    classWeights: null,
    reduction: 'mean',
    transforms: [],
    sam: null,
    stage2: {
      epochs: gaeEpochs(epochs),
      lr: 0.001,
      warmupEpochs: 0,
      milestones: gaeMilestones(gaeEpochs(epochs)),
      sampler: 'instance',
      retrain: 'all',
      reinitClassifier: false,
      batchNorm: 'inference',
      transforms: [{ name: 'gae', config: {} }],
    },
  }),
});
