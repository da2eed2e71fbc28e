/** The batch operators tailstream can use by name, each with its paper's defaults. */
import { createRegistry, type Registry } from '../core/registry.js';
import type { TransformSpec } from './transform-spec.js';
import { randomCropFlipSpec } from './random-crop-flip.js';
import { mixupSpec } from './mixup.js';
import { cutMixSpec } from './cut-mix.js';
import { cmoSpec } from './cmo.js';
import { bilateralMixupSpec } from './bilateral-mixup.js';
import { pureNoiseSpec } from './pure-noise.js';
import { openSamplingSpec } from './open-sampling.js';
import { randAugmentSpec } from './rand-augment.js';
import { guidedAdversarialSpec } from './guided-adversarial.js';

/**
 * Every registered transform (each keeps its own config type; the registry erases it). `kind` says
 * how it is applied: `batch` on the main stream, `paired` with a second stream (`pairWith`),
 * `bilateral` on (conventional, re-balancing) pairs.
 */
export const transforms: Registry<TransformSpec<any>> = createRegistry<TransformSpec<any>>('transform', [
  randomCropFlipSpec,
  mixupSpec,
  cutMixSpec,
  cmoSpec,
  bilateralMixupSpec,
  pureNoiseSpec,
  openSamplingSpec,
  randAugmentSpec,
  guidedAdversarialSpec,
]);
