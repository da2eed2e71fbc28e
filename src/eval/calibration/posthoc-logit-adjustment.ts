/**
 * Post-hoc logit adjustment: predict with z − τ·log π instead of z, on a model trained with plain CE.
 *
 * Intuition: a CE-trained model estimates p(y|x) ∝ p(x|y)·π_y; subtracting log π_y (τ = 1) leaves
 * the scores of the balanced-error (class-balanced prior) classifier. A uniform prior only shifts every
 * logit by the same constant, so probabilities and predictions do not change.
 *
 * Formula: ẑ_j = z_j − log(π_j^τ + 1e-12), π_j = n_j / Σ_k n_k. The 1e-12 is the official code's guard
 * (it keeps classes without training samples finite).
 *
 * Paper: Menon, Jayasumana, Rawat, Jain, Veit, Kumar, "Long-Tail Learning via Logit Adjustment", ICLR
 * 2021 (post-hoc logit adjustment, τ = 1 by default). Code: `google-research/google-research:
 * logit_adjustment` (`log(base_probs**tau + 1e-12)`).
 *
 * @see logitAdjusted (the loss form, in losses), tauNormalizeKernel, fitMarc
 */
import { rowsOf, softmaxRows } from './host-matrix.js';

/**
 * The per-class amounts a_j = log(π_j^τ + 1e-12) subtracted from the logits.
 * @throws Error when a count is negative or not finite, all counts are 0, or τ is negative
 */
export const posthocAdjustments = (counts: readonly number[], tau = 1): number[] => {
  if (!(Number.isFinite(tau) && tau >= 0)) throw new Error(`posthocAdjustments: τ must be a finite number ≥ 0, got ${tau}`);
  if (counts.some((n) => !(Number.isFinite(n) && n >= 0))) throw new Error(`posthocAdjustments: counts must be finite and ≥ 0, got [${counts.join(', ')}]`);
  const total = counts.reduce((s, n) => s + n, 0);
  if (total === 0) throw new Error('posthocAdjustments: every class count is 0');
  return counts.map((n) => Math.log((n / total) ** tau + 1e-12));
};

/** z − log(π^τ + 1e-12) for row-major [N, C] `logits`, π from the training `counts`. */
export const posthocAdjustLogits = (logits: ArrayLike<number>, counts: readonly number[], tau = 1): Float32Array => {
  const numClasses = counts.length;
  rowsOf(logits, numClasses, 'posthocAdjustLogits');
  const a = posthocAdjustments(counts, tau);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - a[i % numClasses]!;
  return out;
};

/**
 * The same adjustment on softmax probabilities (what `predict` keeps): softmax(log p − log(π^τ + 1e-12)),
 * equal to the softmax of the adjusted logits since log p differs from z by a per-row constant.
 */
export const posthocAdjustProbabilities = (probabilities: ArrayLike<number>, counts: readonly number[], tau = 1): Float32Array => {
  const logs = Float32Array.from(probabilities as ArrayLike<number>, (p) => Math.log(p));
  return softmaxRows(posthocAdjustLogits(logs, counts, tau), counts.length);
};
