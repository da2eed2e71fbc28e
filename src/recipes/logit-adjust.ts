/** Logit-adjusted cross-entropy (loss form, τ = 1). */
import { defineRecipe } from './recipe.js';

/** Logit adjustment, loss form. */
export const logitAdjustRecipe = defineRecipe({
  name: 'logit-adjust',
  summary: 'logit-adjusted cross-entropy, τ = 1 (the loss form; post-hoc adjustment is a calibration)',
  paper: 'Menon, Jayasumana, Rawat, Jain, Veit, Kumar, "Long-tail learning via logit adjustment", ICLR 2021',
  code: 'google-research/google-research: logit_adjustment/main.py, utils.py build_loss_fn (tau=1.0)',
  overrides: () => ({ loss: 'logit-adjusted', lossConfig: { tau: 1 }, sampler: 'instance', head: 'linear', classWeights: null, reduction: 'mean', transforms: [], sam: null }),
});
