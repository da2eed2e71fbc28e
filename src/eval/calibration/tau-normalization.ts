/**
 * τ-normalisation of a linear classifier: w̃_j = w_j / ‖w_j‖^τ, bias dropped, logits x·W̃.
 *
 * Intuition: after instance-balanced training the head classes' weight vectors are longer, so their
 * logits win ties; dividing each by a power of its norm shrinks that advantage. τ = 0 leaves W as it
 * is, τ = 1 gives unit-norm weights (a cosine-like classifier up to ‖x‖).
 *
 * Paper: Kang, Xie, Rohrbach, Yan, Gordo, Feng, Kalantidis, "Decoupling Representation and Classifier
 * for Long-Tailed Recognition", ICLR 2020 (τ-normalised classifier). Code:
 * `facebookresearch/classifier-balancing` (τ-norm notebook): the bias is dropped and τ is chosen on a
 * validation split from `np.linspace(0, 2, 21)` — there is no universal default (`TAU_GRID`, `selectTau`).
 * A class whose weight vector is all zeros keeps it (0/0 is taken as 0), a guard the official code lacks.
 *
 * @see posthocAdjustLogits (shifts logits by the prior instead), fitMarc (learns a per-class affine map)
 */
import { columnNorms, linearLogits, rowsOf, balancedAccuracyOf } from './host-matrix.js';

/** Decoupling's grid for τ: 0, 0.1, …, 2.0 (`np.linspace(0, 2, 21)`). */
export const TAU_GRID: readonly number[] = Object.freeze(Array.from({ length: 21 }, (_, i) => i / 10));

/**
 * The τ-normalised kernel: column j of the row-major [D, C] `kernel` divided by ‖w_j‖^τ.
 * @throws Error when τ is negative or not finite, or the kernel does not have `numClasses` columns
 */
export const tauNormalizeKernel = (kernel: ArrayLike<number>, numClasses: number, tau: number): Float32Array => {
  if (!(Number.isFinite(tau) && tau >= 0)) throw new Error(`tauNormalizeKernel: τ must be a finite number ≥ 0, got ${tau}`);
  const rows = rowsOf(kernel, numClasses, 'tauNormalizeKernel');
  const scale = columnNorms(kernel, numClasses).map((n) => (n === 0 ? 1 : n ** -tau));
  const out = new Float32Array(kernel.length);
  for (let d = 0; d < rows; d++) for (let j = 0; j < numClasses; j++) out[d * numClasses + j] = kernel[d * numClasses + j]! * scale[j]!;
  return out;
};

/** Logits of τ-normalised weights with the bias dropped: [N, D] features · W̃ ([D, C]). */
export const tauNormalizedLogits = (features: ArrayLike<number>, kernel: ArrayLike<number>, numClasses: number, tau: number): Float32Array =>
  linearLogits(features, tauNormalizeKernel(kernel, numClasses, tau), numClasses);

/** The τ a validation split prefers, and the balanced accuracy of every candidate. */
export interface TauSelection {
  readonly tau: number;
  readonly balancedAccuracy: number;
  readonly candidates: ReadonlyArray<{ readonly tau: number; readonly balancedAccuracy: number }>;
}

/**
 * Decoupling's τ search: the τ of `grid` with the highest balanced accuracy of the τ-normalised
 * classifier on (`features`, `labels`), the smallest such τ on ties. Run it on a validation split,
 * never on the test set.
 * @throws Error when the grid is empty or the labels do not match the features
 */
export const selectTau = (
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  kernel: ArrayLike<number>,
  numClasses: number,
  grid: readonly number[] = TAU_GRID,
): TauSelection => {
  if (grid.length === 0) throw new Error('selectTau: the grid of τ values is empty');
  const dim = rowsOf(kernel, numClasses, 'selectTau');
  if (rowsOf(features, dim, 'selectTau') !== labels.length) throw new Error(`selectTau: ${features.length / dim} feature rows but ${labels.length} labels`);
  const candidates = grid.map((tau) => ({ tau, balancedAccuracy: balancedAccuracyOf(tauNormalizedLogits(features, kernel, numClasses, tau), labels, numClasses) }));
  const best = candidates.reduce((a, b) => (b.balancedAccuracy > a.balancedAccuracy ? b : a));
  return { tau: best.tau, balancedAccuracy: best.balancedAccuracy, candidates };
};
