/** Pure batch operators and their lifting into RxJS. */
export { liftTransform } from './batch-transform.js';
export type { BatchTransform } from './batch-transform.js';
export { randomCropFlip } from './random-crop-flip.js';
export type { RandomCropFlipConfig } from './random-crop-flip.js';
