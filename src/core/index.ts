/** Vocabulary shared by every layer: batches, class counts, the splittable Rng, user errors. */
export { createRng, rngFromState, draw } from './rng.js';
export type { Rng, Draws } from './rng.js';
export { batchSize, sampleLength, batchTensorShape } from './host-batch.js';
export type { HostBatch, SampleShape, MixedTargets } from './host-batch.js';
export { UserError, isUserError, describeError } from './errors.js';
export type { UserErrorKind } from './errors.js';
export { countClasses, imbalanceRatio } from './class-counts.js';
export type { ClassCounts } from './class-counts.js';
export { createRegistry, closestName, editDistance } from './registry.js';
export type { Registry, Named } from './registry.js';
export { BATCH_NORM_BACKWARD_KERNEL } from './kernel-names.js';
