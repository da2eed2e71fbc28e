/** Functional models: variables + forward(x) → {logits, features}. */
export { disposeVariables, countParameters } from './model.js';
export type { Model, ModelEntry, ModelSpec, ModelVariables, ForwardResult } from './model.js';
export { heNormal, constantVariable, uniqueVariableName } from './init.js';
export { batchNormTraining, batchNormInference } from './batch-norm.js';
export type { BatchNormState } from './batch-norm.js';
export { createSmallCnn, smallCnn } from './small-cnn.js';
export { createResNetCifar, resnet32, optionAShortcutFilter } from './resnet32.js';
export { models } from './registry.js';
export { cosineLogits } from './cosine-head.js';
export type { HeadKind } from './cosine-head.js';
export { createBbnResNet, createBbnSmallCnn, isBilateralModel, bbnResNet32, bbnSmallCnn } from './bbn.js';
export type { BilateralModel, BilateralForwardResult } from './bbn.js';
export { resNetParts, basicBlock, convLayer, cifarBlockSpecs } from './resnet-blocks.js';
export type { ResNetParts, BlockSpec, NormLayer } from './resnet-blocks.js';
export { darBatchNormTraining } from './dar-batch-norm.js';
export type { NoiseGradient } from './dar-batch-norm.js';
export { createDarResNet, isNoiseRoutedModel, withNoiseRouting, darResNet32 } from './dar-resnet.js';
export type { NoiseRoutedModel } from './dar-resnet.js';
