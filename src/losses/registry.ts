/** The losses tailstream can use by name. */
import { createRegistry, type Registry } from '../core/registry.js';
import type { LossSpec } from './loss-spec.js';
import { crossEntropy } from './cross-entropy.js';

/** Every registered loss (each keeps its own config type; the registry erases it). */
export const losses: Registry<LossSpec<any, any>> = createRegistry<LossSpec<any, any>>('loss', [crossEntropy]);
