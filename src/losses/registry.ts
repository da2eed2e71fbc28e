/** The losses tailstream can use by name. */
import { createRegistry, type Registry } from '../core/registry.js';
import type { LossSpec } from './loss-spec.js';
import { crossEntropy } from './cross-entropy.js';
import { focal } from './focal.js';
import { classBalanced } from './class-balanced.js';
import { weightedCrossEntropy } from './weighted-cross-entropy.js';
import { ldam } from './ldam.js';
import { balancedSoftmax } from './balanced-softmax.js';
import { logitAdjusted } from './logit-adjusted.js';
import { vsLoss } from './vs-loss.js';
import { cdt } from './cdt.js';
import { maximumMargin } from './maximum-margin.js';
import { parametricCrossEntropy } from './parametric-cross-entropy.js';
import { cri } from './cri.js';
import { pal } from './pal.js';
import { lmSoftmax } from './lm-softmax.js';
import { gmSoftmax } from './gm-softmax.js';
import { sampleMargin } from './sample-margin.js';
import { zeroCentroid } from './zero-centroid.js';
import { distributionBalanced } from './distribution-balanced.js';
import { rescomSupcon } from './rescom-supcon.js';
import { siameseBalancedSoftmax } from './siamese-balanced-softmax.js';
import { rescom } from './rescom.js';
import { dbnMixLoss } from './dbn-mix.js';

/** Every registered loss (each keeps its own config type; the registry erases it). */
export const losses: Registry<LossSpec<any, any>> = createRegistry<LossSpec<any, any>>('loss', [
  crossEntropy,
  focal,
  classBalanced,
  weightedCrossEntropy,
  ldam,
  balancedSoftmax,
  logitAdjusted,
  vsLoss,
  cdt,
  maximumMargin,
  parametricCrossEntropy,
  cri,
  pal,
  lmSoftmax,
  gmSoftmax,
  sampleMargin,
  zeroCentroid,
  distributionBalanced,
  rescomSupcon,
  siameseBalancedSoftmax,
  rescom,
  dbnMixLoss,
]);
