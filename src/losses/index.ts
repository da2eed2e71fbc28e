/** Losses: per-example functions prepared from class counts, and the one shared reduction. */
export { defineLoss } from './loss-spec.js';
export type { LossSpec, LossInputs } from './loss-spec.js';
export { reduceLoss } from './reduce.js';
export type { Reduction } from './reduce.js';
export { crossEntropy, crossEntropyPerExample, CrossEntropyConfig } from './cross-entropy.js';
export { losses } from './registry.js';
