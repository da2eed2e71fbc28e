/** Pure batch operators, their lifting into RxJS, and their registry. */
export { liftTransform } from './batch-transform.js';
export type { BatchTransform, TransformContext } from './batch-transform.js';
export { pairWith, liftPairedTransform, liftPairedTransformWith } from './paired-transform.js';
export type { PairedTransform } from './paired-transform.js';
export { defineTransform, requireSetup } from './transform-spec.js';
export type { TransformSpec, BatchTransformSpec, PairedTransformSpec, BilateralTransformSpec, TransformSetup } from './transform-spec.js';
export {
  randomCropFlip,
  randomCropFlipSpec,
  randomCropFlipDefaults,
  RandomCropFlipEntryConfig,
} from './random-crop-flip.js';
export type { RandomCropFlipConfig } from './random-crop-flip.js';
export { mixup, mixupSpec, mixupDefaults, MixupConfig } from './mixup.js';
export { cutMix, cutMixSpec, cutMixDefaults, CutMixConfig } from './cut-mix.js';
export { cmo, cmoWith, cmoSpec, cmoDefaults, CmoConfig } from './cmo.js';
export {
  bilateralMixup,
  bilateralMixupPairs,
  bilateralMixupSpec,
  bilateralMixupDefaults,
  BilateralMixupConfig,
} from './bilateral-mixup.js';
export { pureNoise, pureNoiseRates, pureNoiseSpec, pureNoiseDefaults, PureNoiseConfig } from './pure-noise.js';
export { openSetNoise } from './open-set-noise.js';
export {
  openSampling,
  openSamplingWith,
  complementaryDistribution,
  openSamplingSpec,
  openSamplingDefaults,
  OpenSamplingConfig,
} from './open-sampling.js';
export {
  randAugment,
  randAugmentSpec,
  randAugmentDefaults,
  randAugmentMagnitude,
  applyRandAugmentOp,
  RAND_AUGMENT_OPS,
  RandAugmentConfig,
} from './rand-augment.js';
export type { RandAugmentOp } from './rand-augment.js';
export { modelGradientOracle } from './gradient-oracle.js';
export type { GradientOracle, OracleQuery, OracleAnswer, OracleModel } from './gradient-oracle.js';
export {
  guidedAdversarial,
  guidedAdversarialSpec,
  guidedAdversarialDefaults,
  gaPgd,
  tailClassMask,
  GuidedAdversarialConfig,
  TailClassRule,
} from './guided-adversarial.js';
export type { GaPgdOptions, GaPgdResult } from './guided-adversarial.js';
export { transforms } from './registry.js';
