/**
 * ResCom's class-balanced queue: Q key slots per class, a ring pointer per class, on the host.
 *
 * Intuition: a plain FIFO memory holds mostly head-class keys; giving every class its own ring of
 * Q slots keeps positives for tail anchors and negatives of every class available at each step.
 *
 * Layout: `keys` is a row-major [C·Q, D] Float32Array, slot s of class c in row c·Q + s (ResCom's
 * `queue_list` transposed); `pointers[c]` is the next slot of class c to overwrite. Rows start as
 * L2-normalised standard-normal draws (`torch.randn` then `normalize` in the official builder).
 * Values, not objects that change: `enqueueClassBalanced` returns a new queue.
 *
 * How a step would feed it (ResCom's order, `rescom/builder.py` `_train`): at step t, build
 * `tf.tensor2d(queue.keys, [C·Q, D])` and `tf.tensor1d(classBalancedQueueLabels(queue), 'int32')`,
 * pass them to `rescomContrastivePerExample(features, labels, prepared, { keys, keyLabels, positives,
 * negatives })` (the keys are constants, so no gradient reaches the queue, as `clone().detach()`);
 * after the update, read the first view's features of the Siamese batch (the first B rows) with
 * `dataSync()` and `queue = enqueueClassBalanced(queue, rows, labels)`. ResCom has no momentum
 * encoder: the keys are the step's own (detached) features. Keep the queue in the run state to
 * resume exactly.
 *
 * Code: `dvlab-research/ResCom: ResCom/rescom/builder.py` (`queue_list`, `queue_ptr`,
 * `_dequeue_and_enqueue`); defaults Q = `queue_size_per_cls` = 1 in `logger.py` (8 in the builder
 * signature). Deviation: rows are L2-normalised when written (ResCom writes features it has already
 * normalised, so the keys are the same).
 *
 * @see rescomContrastivePerExample
 */
import { draw, type Rng } from '../core/rng.js';

/** A class-balanced queue of keys (see the module doc for the layout). */
export interface ClassBalancedQueue {
  readonly numClasses: number;
  /** Q, slots per class. */
  readonly perClass: number;
  /** D, the key dimension. */
  readonly dim: number;
  /** [C·Q, D] row-major, unit rows. */
  readonly keys: Float32Array;
  /** [C] the next slot of each class to overwrite. */
  readonly pointers: Int32Array;
}

/** Scales row r of a row-major [*, dim] array to unit L2 norm (norm floored at 1e-12). */
const normaliseRow = (a: Float32Array, r: number, dim: number): void => {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[r * dim + d]! ** 2;
  const norm = Math.max(Math.sqrt(s), 1e-12);
  for (let d = 0; d < dim; d++) a[r * dim + d] = a[r * dim + d]! / norm;
};

/**
 * A queue of `perClass` slots for each of `numClasses` classes, keys of dimension `dim` drawn from
 * `rng` (standard normal, then L2-normalised); every pointer at 0.
 * @throws Error when a size is not a positive integer
 */
export const createClassBalancedQueue = (numClasses: number, perClass: number, dim: number, rng: Rng): ClassBalancedQueue => {
  for (const [what, v] of [
    ['numClasses', numClasses],
    ['perClass', perClass],
    ['dim', dim],
  ] as const) {
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`createClassBalancedQueue: ${what} must be a positive integer, got ${v}`);
  }
  const rows = numClasses * perClass;
  const [keys] = draw(rng, (d) => Float32Array.from({ length: rows * dim }, () => d.normal()));
  for (let r = 0; r < rows; r++) normaliseRow(keys, r, dim);
  return { numClasses, perClass, dim, keys, pointers: new Int32Array(numClasses) };
};

/**
 * A new queue with each row of `features` ([B, D] row-major) written, in order, into its class's
 * ring at the class pointer (which then advances mod Q), as ResCom's `_dequeue_and_enqueue`. The
 * rows are L2-normalised as they are written; `queue` is left unchanged.
 * @throws Error when the sizes disagree or a label is out of range
 */
export const enqueueClassBalanced = (
  queue: ClassBalancedQueue,
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
): ClassBalancedQueue => {
  const { dim, perClass, numClasses } = queue;
  if (features.length !== labels.length * dim) {
    throw new Error(`enqueueClassBalanced: ${features.length} feature values for ${labels.length} labels of dimension ${dim}`);
  }
  const keys = Float32Array.from(queue.keys);
  const pointers = Int32Array.from(queue.pointers);
  for (let b = 0; b < labels.length; b++) {
    const c = labels[b]!;
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) {
      throw new Error(`enqueueClassBalanced: label ${c} at row ${b} is not a class in 0..${numClasses - 1}`);
    }
    const row = c * perClass + pointers[c]!;
    for (let d = 0; d < dim; d++) keys[row * dim + d] = features[b * dim + d]!;
    normaliseRow(keys, row, dim);
    pointers[c] = (pointers[c]! + 1) % perClass;
  }
  return { numClasses, perClass, dim, keys, pointers };
};

/** The class of each key row, [C·Q]: c repeated Q times for every c (`queue_label`). */
export const classBalancedQueueLabels = (queue: ClassBalancedQueue): Int32Array =>
  Int32Array.from({ length: queue.numClasses * queue.perClass }, (_, r) => Math.floor(r / queue.perClass));
