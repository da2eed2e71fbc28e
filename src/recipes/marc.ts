/**
 * MARC (margin calibration): stage 1 plain cross-entropy with instance-balanced sampling; then, as the
 * run's final step, ẑ_j = ω_j·z_j + β_j·‖w_j‖ fitted on the training split's logits of the frozen model
 * with the official objective (GRW-weighted CE, exp_scale 1.2) and schedule (`fitMarc`, `MARC_DEFAULTS`).
 *
 * The run writes the stage-1 model's `metrics.json` and MARC's `metrics-marc.json` beside it (the file
 * `tailstream calibrate RUN --method marc` writes), and returns MARC's report as `calibrated`. MARC is a
 * calibration of frozen logits, not a training stage: fitting 2·C parameters on host logits needs no
 * stream of batches, so it is the run's final step (`RunConfig.calibration`), not a `stage2`.
 * Deviations (see `fitMarc`): the backbone runs in inference mode (the official runner leaves batch
 * norm in training mode), and the stage-1 schedule is the run's, not BALMS's warm-up + cosine.
 */
import { defineRecipe } from './recipe.js';

/** MARC on a CE-trained model. */
export const marcRecipe = defineRecipe({
  name: 'marc',
  summary: 'CE with instance sampling, then margin calibration ω_j·z_j + β_j·‖w_j‖ fitted on the training logits (metrics-marc.json)',
  paper: 'Wang, Zhang, Hou, Wu, Wang, Shinozaki, "Margin Calibration for Long-Tailed Visual Recognition", ACML 2022 (arXiv 2112.07225)',
  code: 'microsoft/robustlearn: marc/models/MARCClassifier.py, loss/GRWLoss.py (exp_scale 1.2), config/CIFAR10_LT/MARC_100.yaml',
  overrides: () => ({
    loss: 'ce',
    lossConfig: {},
    sampler: 'instance',
    head: 'linear',
    classWeights: null,
    reduction: 'mean',
    transforms: [],
    sam: null,
    calibration: { method: 'marc', tau: 1 },
  }),
});
