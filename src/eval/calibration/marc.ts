/**
 * MARC, margin calibration: a per-class affine map ẑ_j = ω_j·z_j + β_j·‖w_j‖ of a frozen classifier's
 * logits z, with only ω and β learned, on the training split.
 *
 * Intuition: z_j / ‖w_j‖ is the signed distance ("margin") of the feature to class j's hyperplane;
 * MARC rescales and shifts each class's margin (ω_j·d_j + β_j) and multiplies back by ‖w_j‖, undoing the
 * head classes' larger margins with 2·C parameters. The bias of the stage-1 classifier stays inside z_j.
 *
 * Objective (official code, `loss/GRWLoss.py` with `exp_scale: 1.2`): generalised re-weighting CE,
 *   w_c = C·π_c^{−s} / Σ_k π_k^{−s},  L = Σ_i w_{y_i}·CE(ẑ_i, y_i) / Σ_i w_{y_i}  (PyTorch weighted mean);
 * s = 0 is plain CE, s = 1 the exactly class-balanced loss.
 *
 * Optimiser (official `config/CIFAR10_LT/MARC_100.yaml`, `MARCClassifier.py`): ω = 1, β = 0 at the
 * start; SGD momentum 0.9, weight decay 5e-4 on ω and β; 2000 iterations of batch 512; learning rate
 * rising linearly from 0.05 to 0.1 over 800 iterations, then cosine to 0 (BALMS's `CosineAnnealingLRWarmup`
 * with `base_lr 0.05, warmup_lr 0.1, endlr 0`). These are `MARC_DEFAULTS`.
 *
 * Paper: Wang, Zhang, Hou, Wu, Wang, Shinozaki, "Margin Calibration for Long-Tailed Visual Recognition",
 * ACML 2022. Code: `microsoft/robustlearn: marc/`.
 *
 * Deviations: we fit on host logits computed once with the backbone in inference mode (the official
 * runner keeps batch norm in train mode, so its running statistics drift during stage 2); the warm-up
 * is linear in t/W from 0.05 at t = 0 (BALMS indexes it so that step 1 is 0.05 and step W is 0.1);
 * mini-batches are epochs of a permutation drawn from an `Rng`, the incomplete last batch of each pass
 * dropped (one full batch when `batchSize ≥ N`).
 * The loss and its gradient are computed in closed form in float64 (dẑ = w_y/Σw·(softmax(ẑ) − onehot(y))).
 *
 * @see tauNormalizeKernel, posthocAdjustLogits
 */
import { draw, type Rng } from '../../core/rng.js';
import { rowsOf } from './host-matrix.js';

/** MARC's learned parameters: ω (scale) and β (shift of the margin), one of each per class. */
export interface MarcParameters {
  readonly omega: readonly number[];
  readonly beta: readonly number[];
}

/** How MARC is fitted. */
export interface MarcOptions {
  /** Exponent s of the GRW class weights (official 1.2; 0 = plain CE, 1 = balanced). */
  readonly expScale: number;
  readonly iterations: number;
  readonly batchSize: number;
  /** Learning rate at the first iteration (official `base_lr` 0.05). */
  readonly warmupStartLr: number;
  /** Learning rate at the end of warm-up, the start of the cosine (official `warmup_lr` 0.1). */
  readonly peakLr: number;
  /** Learning rate the cosine ends at (official `endlr` 0). */
  readonly endLr: number;
  readonly warmupIterations: number;
  readonly momentum: number;
  readonly weightDecay: number;
}

/** The official CIFAR-LT settings (`marc/config/CIFAR10_LT/MARC_100.yaml`). */
export const MARC_DEFAULTS: MarcOptions = Object.freeze({
  expScale: 1.2,
  iterations: 2000,
  batchSize: 512,
  warmupStartLr: 0.05,
  peakLr: 0.1,
  endLr: 0,
  warmupIterations: 800,
  momentum: 0.9,
  weightDecay: 5e-4,
});

/** The identity calibration: ω = 1, β = 0. */
export const identityMarc = (numClasses: number): MarcParameters => ({
  omega: new Array<number>(numClasses).fill(1),
  beta: new Array<number>(numClasses).fill(0),
});

/**
 * Generalised re-weighting class weights w_c = C·π_c^{−s} / Σ_k π_k^{−s} (DisAlign's GRW as MARC's
 * `GRWLoss.py` computes them). Classes without samples get weight 0.
 * @throws Error when no class has samples or a count is negative
 */
export const grwClassWeights = (counts: readonly number[], expScale: number): number[] => {
  if (counts.some((n) => !(Number.isFinite(n) && n >= 0))) throw new Error(`grwClassWeights: counts must be finite and ≥ 0, got [${counts.join(', ')}]`);
  const total = counts.reduce((s, n) => s + n, 0);
  if (total === 0) throw new Error('grwClassWeights: every class count is 0');
  const raw = counts.map((n) => (n === 0 ? 0 : (n / total) ** -expScale));
  const sum = raw.reduce((s, v) => s + v, 0);
  return raw.map((v) => (counts.length * v) / sum);
};

/** ẑ_j = ω_j·z_j + β_j·n_j for row-major [N, C] logits z and class weight norms n (`columnNorms` of the kernel). */
export const marcLogits = (logits: ArrayLike<number>, weightNorms: readonly number[], params: MarcParameters): Float32Array => {
  const c = weightNorms.length;
  rowsOf(logits, c, 'marcLogits');
  if (params.omega.length !== c || params.beta.length !== c) throw new Error(`marcLogits: ω and β need ${c} values, got ${params.omega.length} and ${params.beta.length}`);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) {
    const j = i % c;
    out[i] = params.omega[j]! * logits[i]! + params.beta[j]! * weightNorms[j]!;
  }
  return out;
};

/** The weighted-mean CE of the calibrated logits on rows `rows`, and its gradient with respect to ω and β. */
export interface MarcLossAndGradient {
  readonly loss: number;
  readonly dOmega: number[];
  readonly dBeta: number[];
}

/** MARC's objective and its closed-form gradient on the given rows (all rows when omitted). */
export const marcLossAndGradient = (
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  weightNorms: readonly number[],
  classWeights: readonly number[],
  params: MarcParameters,
  rows?: ArrayLike<number>,
): MarcLossAndGradient => {
  const c = weightNorms.length;
  const n = rowsOf(logits, c, 'marcLossAndGradient');
  if (labels.length !== n) throw new Error(`marcLossAndGradient: ${n} logit rows but ${labels.length} labels`);
  const count = rows === undefined ? n : rows.length;
  const dOmega = new Array<number>(c).fill(0);
  const dBeta = new Array<number>(c).fill(0);
  const z = new Float64Array(c);
  let lossSum = 0;
  let weightSum = 0;
  for (let r = 0; r < count; r++) {
    const i = rows === undefined ? r : rows[r]!;
    const y = labels[i]!;
    const w = classWeights[y]!;
    weightSum += w;
    let max = -Infinity;
    for (let j = 0; j < c; j++) {
      z[j] = params.omega[j]! * logits[i * c + j]! + params.beta[j]! * weightNorms[j]!;
      max = Math.max(max, z[j]!);
    }
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(z[j]! - max);
    const logSum = max + Math.log(sum);
    lossSum += w * (logSum - z[y]!);
    for (let j = 0; j < c; j++) {
      const g = w * (Math.exp(z[j]! - logSum) - (j === y ? 1 : 0));
      dOmega[j]! += g * logits[i * c + j]!;
      dBeta[j]! += g * weightNorms[j]!;
    }
  }
  if (weightSum === 0) return { loss: 0, dOmega, dBeta };
  return { loss: lossSum / weightSum, dOmega: dOmega.map((g) => g / weightSum), dBeta: dBeta.map((g) => g / weightSum) };
};

/** MARC's learning rate at 0-based iteration t: linear warm-up from `warmupStartLr` to `peakLr`, then cosine to `endLr`. */
export const marcLearningRate = (o: MarcOptions, t: number): number => {
  if (t < o.warmupIterations) return o.warmupStartLr + ((o.peakLr - o.warmupStartLr) * t) / o.warmupIterations;
  const span = Math.max(1, o.iterations - o.warmupIterations);
  return o.endLr + ((o.peakLr - o.endLr) * (1 + Math.cos((Math.PI * (t - o.warmupIterations)) / span))) / 2;
};

/** A fitted MARC calibrator and its training loss at the last iteration. */
export interface MarcFit extends MarcParameters {
  readonly finalLoss: number;
}

/**
 * Fits ω and β on frozen logits with the official objective and optimiser (`MARC_DEFAULTS`, override
 * any field). `counts` are the training class counts (they set the GRW weights); `rng` shuffles the
 * rows each pass when `batchSize` < N.
 * @throws Error on mismatched shapes, or a non-positive batch size
 */
export const fitMarc = (
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  weightNorms: readonly number[],
  counts: readonly number[],
  rng: Rng,
  options: Partial<MarcOptions> = {},
): MarcFit => {
  const o: MarcOptions = { ...MARC_DEFAULTS, ...options };
  const c = weightNorms.length;
  if (counts.length !== c) throw new Error(`fitMarc: ${counts.length} class counts for ${c} classes`);
  if (!(Number.isInteger(o.batchSize) && o.batchSize > 0)) throw new Error(`fitMarc: batchSize must be a positive integer, got ${o.batchSize}`);
  const n = rowsOf(logits, c, 'fitMarc');
  if (labels.length !== n) throw new Error(`fitMarc: ${n} logit rows but ${labels.length} labels`);
  const classWeights = grwClassWeights(counts, o.expScale);
  const omega = new Array<number>(c).fill(1);
  const beta = new Array<number>(c).fill(0);
  const vOmega = new Array<number>(c).fill(0);
  const vBeta = new Array<number>(c).fill(0);
  const fullBatch = o.batchSize >= n;
  let order: Int32Array = new Int32Array(0);
  let cursor = 0;
  let pass = 0;
  let finalLoss = Number.NaN;
  for (let t = 0; t < o.iterations; t++) {
    let rows: Int32Array | undefined;
    if (!fullBatch) {
      if (cursor + o.batchSize > order.length) {
        order = draw(rng.derive('marc', pass++), (d) => d.permutation(n))[0];
        cursor = 0;
      }
      rows = order.subarray(cursor, cursor + o.batchSize);
      cursor += o.batchSize;
    }
    const { loss, dOmega, dBeta } = marcLossAndGradient(logits, labels, weightNorms, classWeights, { omega, beta }, rows);
    finalLoss = loss;
    const lr = marcLearningRate(o, t);
    // torch.optim.SGD: g ← g + λ·p;  v ← μ·v + g;  p ← p − lr·v.
    for (let j = 0; j < c; j++) {
      vOmega[j] = o.momentum * vOmega[j]! + dOmega[j]! + o.weightDecay * omega[j]!;
      vBeta[j] = o.momentum * vBeta[j]! + dBeta[j]! + o.weightDecay * beta[j]!;
      omega[j] = omega[j]! - lr * vOmega[j]!;
      beta[j] = beta[j]! - lr * vBeta[j]!;
    }
  }
  return { omega, beta, finalLoss };
};
