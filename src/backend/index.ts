/** The engine room: backend selection and the training gradients tailstream registers. */
export { initBackend, shutdownBackend, defaultWasmThreads, parseBackendName, BACKEND_NAMES } from './select-backend.js';
export type { BackendName, BackendInfo, InitBackendOptions } from './select-backend.js';
export { conv2dInputGradient, conv2dFilterGradient, registerFastConvGradients } from './conv-gradients.js';
export { maxPoolBackward, poolGeometry, registerFastMaxPoolGradient, WASM_MAX_POOL_GRAD_KERNEL } from './max-pool-gradient.js';
export type { PoolGeometry } from './max-pool-gradient.js';
export { MAX_WASM_THREADS } from './wasm-threads.js';
export { matMulNoFlags, swapLastAxes, registerFastMatMulGradient } from './matmul-gradient.js';
export { sumLeadingAxes, registerFastAddGradient } from './add-gradient.js';
export {
  depthToSpaceFast,
  depthToSpaceOnHeap,
  nhwcToChwn,
  flipSwapFilter,
  flipSwapFilterOnHeap,
  swapOuterAxesOnHeap,
  registerHeapKernels,
  WASM_DEPTH_TO_SPACE_KERNEL,
  WASM_SWAP_OUTER_AXES_KERNEL,
  WASM_FLIP_SWAP_FILTER_KERNEL,
} from './heap-kernels.js';
export { registerSharedIdentity } from './shared-identity.js';
export type { WasmHeapBackend } from './heap-kernels.js';
export { registerWasmGradient } from './wasm-gradient.js';
export type { WasmGradFunc } from './wasm-gradient.js';
