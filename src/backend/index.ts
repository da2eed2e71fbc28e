/** The engine room: backend selection and the training gradients tailstream registers. */
export { initBackend, parseBackendName, BACKEND_NAMES } from './select-backend.js';
export type { BackendName, BackendInfo, InitBackendOptions } from './select-backend.js';
export { conv2dInputGradient, conv2dFilterGradient, registerFastConvGradients } from './conv-gradients.js';
