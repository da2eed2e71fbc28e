/**
 * Small row-major matrix helpers shared by the post-hoc calibrators (host arrays, no tensors).
 *
 * Conventions: logits and probabilities are [N, C] row-major (`Predictions.probabilities`' layout);
 * a classifier kernel is [D, C] row-major, the layout of the models' `fc/kernel` variables, so the
 * weight vector w_j of class j is column j.
 */
import { confusionMatrix } from '../confusion-matrix.js';
import { balancedAccuracy } from '../per-class-accuracy.js';

/** Rows of a row-major [rows, cols] array; throws when the length does not divide. */
export const rowsOf = (values: ArrayLike<number>, cols: number, fnName: string): number => {
  if (!(Number.isInteger(cols) && cols > 0)) throw new Error(`${fnName}: the number of columns must be a positive integer, got ${cols}`);
  if (values.length % cols !== 0) throw new Error(`${fnName}: ${values.length} values do not make rows of ${cols}`);
  return values.length / cols;
};

/** ‖w_j‖₂ of each column j of a row-major [D, C] kernel (the class weight norms, bias excluded). */
export const columnNorms = (kernel: ArrayLike<number>, numClasses: number): number[] => {
  const rows = rowsOf(kernel, numClasses, 'columnNorms');
  const norms = new Array<number>(numClasses).fill(0);
  for (let d = 0; d < rows; d++) for (let j = 0; j < numClasses; j++) norms[j]! += kernel[d * numClasses + j]! ** 2;
  return norms.map(Math.sqrt);
};

/** x·W (+ b): [N, D] features times a [D, C] kernel, plus an optional [C] bias, as float32 logits. */
export const linearLogits = (features: ArrayLike<number>, kernel: ArrayLike<number>, numClasses: number, bias?: ArrayLike<number>): Float32Array => {
  const dim = rowsOf(kernel, numClasses, 'linearLogits');
  const n = rowsOf(features, dim, 'linearLogits');
  if (bias !== undefined && bias.length !== numClasses) throw new Error(`linearLogits: the bias has ${bias.length} values for ${numClasses} classes`);
  const out = new Float32Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < numClasses; j++) {
      let s = bias === undefined ? 0 : bias[j]!;
      for (let d = 0; d < dim; d++) s += features[i * dim + d]! * kernel[d * numClasses + j]!;
      out[i * numClasses + j] = s;
    }
  }
  return out;
};

/** Row-wise argmax of a row-major [N, C] array (first index on ties). */
export const argmaxRows = (values: ArrayLike<number>, numClasses: number): Int32Array => {
  const n = rowsOf(values, numClasses, 'argmaxRows');
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < numClasses; j++) if (values[i * numClasses + j]! > values[i * numClasses + best]!) best = j;
    out[i] = best;
  }
  return out;
};

/** Row-wise softmax of a row-major [N, C] array, max-shifted, as float32. */
export const softmaxRows = (values: ArrayLike<number>, numClasses: number): Float32Array => {
  const n = rowsOf(values, numClasses, 'softmaxRows');
  const out = new Float32Array(values.length);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < numClasses; j++) max = Math.max(max, values[i * numClasses + j]!);
    let sum = 0;
    const e = new Float64Array(numClasses);
    for (let j = 0; j < numClasses; j++) {
      e[j] = Math.exp(values[i * numClasses + j]! - max);
      sum += e[j]!;
    }
    for (let j = 0; j < numClasses; j++) out[i * numClasses + j] = e[j]! / sum;
  }
  return out;
};

/** Balanced accuracy (mean recall over the classes present in `labels`) of row-wise argmax predictions; NaN without labels. */
export const balancedAccuracyOf = (scores: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number =>
  balancedAccuracy(confusionMatrix(labels, argmaxRows(scores, numClasses), numClasses)) ?? Number.NaN;
