/**
 * CMO on LDAM-DRW: context-rich minority oversampling pastes a CutMix box of a minority-sampler image
 * onto each ordinary image (λ from the box area), per batch with probability 0.5, inside an epoch
 * window, on top of the LDAM-DRW recipe (the combination the CMO paper reports for CIFAR-LT).
 */
import { defineRecipe } from './recipe.js';
import { ldamDrwRecipe } from './ldam-drw.js';

/** CMO (on LDAM-DRW). */
export const cmoRecipe = defineRecipe({
  name: 'cmo',
  summary: 'LDAM-DRW + context-rich minority oversampling (CutMix box from a 1/n_y-sampler image, p 0.5, β 1)',
  paper: 'Park, Hong, Heo, Yun, Choi, "The Majority Can Help the Minority: Context-rich Minority Oversampling for Long-tailed Classification", CVPR 2022',
  code: 'naver-ai/cmo: cifar_train.py, opts.py (beta 1, mixup_prob 0.5, start_data_aug 3, end_data_aug 3 of 200 epochs); its LDAM-DRW base',
  overrides: (epochs) => ({
    ...ldamDrwRecipe.overrides(epochs),
    // The window scales with the budget: epochs 4…196 of 200.
    transforms: [{ name: 'cmo', config: { beta: 1, probability: 0.5, startEpoch: Math.round((epochs * 4) / 200), skipLastEpochs: Math.round((epochs * 3) / 200) } }],
  }),
});
