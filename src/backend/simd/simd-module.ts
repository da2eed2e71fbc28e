/** The one WebAssembly module holding every SIMD kernel: the forward convolution, the conv filter gradient, the batch-norm backward. */
import { batchNormFunctions } from './batch-norm-wat.js';
import { convForwardFunctions } from './conv-forward-wat.js';
import { filterGradientFunctions } from './filter-gradient-wat.js';
import { importedMemory } from './wat-builders.js';

/** The module's text over an imported heap (`shared` for the threaded build's SharedArrayBuffer heap). */
export const simdKernelsWat = (shared: boolean): string =>
  `(module\n  ${importedMemory(shared)}\n${convForwardFunctions()}\n${filterGradientFunctions()}\n${batchNormFunctions()})`;
