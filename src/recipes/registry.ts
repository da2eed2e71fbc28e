/** The recipes tailstream can run by name (`tailstream recipes` lists them). */
import { createRegistry, type Registry } from '../core/registry.js';
import type { Recipe } from './recipe.js';
import { ceRecipe } from './ce.js';
import { focalRecipe } from './focal.js';
import { cbFocalRecipe } from './cb-focal.js';
import { ldamDrwRecipe } from './ldam-drw.js';
import { mmRecipe } from './mm.js';
import { balancedSoftmaxRecipe } from './balanced-softmax.js';
import { logitAdjustRecipe } from './logit-adjust.js';
import { cdtRecipe } from './cdt.js';
import { vsRecipe } from './vs.js';
import { cbResamplingRecipe } from './cb-resampling.js';
import { cmoRecipe } from './cmo.js';
import { vsSamRecipe } from './vs-sam.js';
import { absgdRecipe } from './absgd.js';
import { bbnRecipe } from './bbn.js';
import { otReweightRecipe } from './ot-reweight.js';
import { dbLossRecipe } from './db-loss.js';
import { dbnMixRecipe } from './dbn-mix.js';
import { lmSoftmaxRecipe } from './lm-softmax.js';
import { palRecipe } from './pal.js';
import { pplCriRecipe } from './ppl-cri.js';
import { rescomRecipe } from './rescom.js';
import { openRecipe } from './open.js';
import { openSamplingRecipe } from './open-sampling.js';
import { crtRecipe } from './crt.js';
import { marcRecipe } from './marc.js';
import { gaeRecipe } from './gae.js';
import { autoBalanceRecipe } from './autobalance.js';

/** Every registered recipe. */
export const recipes: Registry<Recipe> = createRegistry<Recipe>('recipe', [
  ceRecipe,
  focalRecipe,
  cbFocalRecipe,
  ldamDrwRecipe,
  mmRecipe,
  balancedSoftmaxRecipe,
  logitAdjustRecipe,
  cdtRecipe,
  vsRecipe,
  cbResamplingRecipe,
  cmoRecipe,
  vsSamRecipe,
  absgdRecipe,
  bbnRecipe,
  otReweightRecipe,
  dbLossRecipe,
  lmSoftmaxRecipe,
  palRecipe,
  pplCriRecipe,
  rescomRecipe,
  openRecipe,
  openSamplingRecipe,
  dbnMixRecipe,
  crtRecipe,
  marcRecipe,
  gaeRecipe,
  autoBalanceRecipe,
]);
