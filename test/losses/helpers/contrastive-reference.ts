/**
 * Float64 reference arithmetic for ResCom's losses (written from the formulas, never calling src/losses),
 * and the fixed features, labels and keys their golden tests use.
 */
import { logSumExp, type Matrix } from './reference.js';

/** Five 3-d features (not normalised). */
export const F: Matrix = [
  [0.5, -1.0, 2.0],
  [1.5, 0.3, -0.2],
  [0.4, -0.8, 1.1],
  [-1.0, 0.2, 0.3],
  [2.0, 0.1, 0.4],
];
/** Their labels over the 4 classes of `COUNTS` (class 3's anchor has no positive in the batch). */
export const FY = [0, 1, 0, 3, 1];
/** Five logits rows for the classification term. */
export const FZ: Matrix = [
  [2.0, -1.0, 0.5, 0.1],
  [0.3, 0.2, -0.4, 1.5],
  [-1.2, 0.7, 2.2, -0.3],
  [0.0, 1.0, -1.0, 0.5],
  [1.0, 1.0, 0.2, -0.7],
];
/** A queue of 2 keys per class for 4 classes (rows normalised by `unit`), class c in rows 2c, 2c + 1. */
export const KEYS_RAW: Matrix = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 1, 0],
  [0, 1, 1],
  [1, 0, 1],
  [1, -1, 0],
  [0, 1, -1],
];
export const KEY_LABELS = [0, 0, 1, 1, 2, 2, 3, 3];

/** row / ‖row‖. */
export const unit = (row: readonly number[]): number[] => {
  const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
  return row.map((v) => v / norm);
};
const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** w_c = mean(E)/E_c, E_c = (1 − β^n)/(1 − β); all ones for β = 0. */
export const anchorWeightsRef = (counts: readonly number[], beta: number): number[] => {
  if (beta === 0) return counts.map(() => 1);
  const e = counts.map((n) => (1 - beta ** n) / (1 - beta));
  const m = e.reduce((a, b) => a + b, 0) / e.length;
  return e.map((v) => m / v);
};

/**
 * Per-anchor w_y · ℓ_i: logits [s_ij (j ≠ i), hard positives, hard negatives] / τ, targets [same class, 1…, 0…],
 * ℓ_i = −Σ targets · log softmax / (Σ targets + 1e-9).
 */
export const supconRef = (
  f: Matrix,
  y: readonly number[],
  tau: number,
  weights: readonly number[],
  queue?: { keys: Matrix; keyLabels: readonly number[]; positives: number; negatives: number },
): number[] => {
  const u = f.map(unit);
  return u.map((fi, i) => {
    const logits: number[] = [];
    const targets: number[] = [];
    u.forEach((fj, j) => {
      if (j === i) return;
      logits.push(dot(fi, fj) / tau);
      targets.push(y[j] === y[i] ? 1 : 0);
    });
    if (queue !== undefined) {
      const sims = queue.keys.map((k) => dot(fi, unit(k)));
      const own = sims.filter((_, r) => queue.keyLabels[r] === y[i]).sort((a, b) => a - b);
      const other = sims.filter((_, r) => queue.keyLabels[r] !== y[i]).sort((a, b) => b - a);
      own.slice(0, queue.positives).forEach((s) => (logits.push(s / tau), targets.push(1)));
      other.slice(0, queue.negatives).forEach((s) => (logits.push(s / tau), targets.push(0)));
    }
    const lse = logSumExp(logits);
    const positives = targets.reduce((a, b) => a + b, 0);
    const loss = -targets.reduce((s, t, k) => s + t * (logits[k]! - lse), 0) / (positives + 1e-9);
    return weights[y[i]!]! * loss;
  });
};
