/**
 * Names of the optional kernels a backend may register for the models to use: the vocabulary between
 * `src/backend`, which registers them where it has a fast implementation, and `src/models`, which
 * runs one when the active backend has it and its own tfjs-op formula otherwise.
 */

/**
 * Batch-norm backward over NHWC float32 activations with C a multiple of 4.
 * Inputs: `dy` and `centered` (x − μ), both [N, H, W, C]; `gamma` and `invStd` (1/σ), both [C].
 * Outputs: ∂x ([N, H, W, C]) and the sums [2, C] = [Σ∂y; Σ∂y·(x − μ)] over the N·H·W positions.
 */
export const BATCH_NORM_BACKWARD_KERNEL = 'TailstreamBatchNormBackward';
