/**
 * AutoBalance's hypergradient by a one-step lookahead through the linear classifier: how the balanced
 * validation loss after one training step changes with the loss parameters θ = (dy, ly).
 *
 * With the features h fixed (the backbone's, detached) and the classifier (W [D, C], b [C]):
 *   lower:  L_train(W, b; θ) = mean_i −log softmax(Δ ⊙ (h_i W + b) + l)_{y_i},  Δ = sigmoid(dy) (or dy)
 *   step:   (W', b') = (W, b) − η·∇_{W,b} L_train(W, b; θ)
 *   upper:  L_val(W', b') = Σ_i ω_{y_i}·CE(h'_i W' + b', y_i) / Σ_i ω_{y_i}   (raw logits; ω `balancedValWeights`)
 *   hyper:  ∂L_val(W'(θ), b'(θ)) / ∂θ
 * The inner gradient is written in closed form, ∇_W = hᵀR, ∇_b = Σ_i R_i with R = Δ ⊙ (softmax(a) − Y)/N,
 * so the hypergradient needs only first-order `tf.grad` (no nested gradients, which TF.js does not
 * provide for every kernel). θ lives in groups: class c uses group `groupOf[c]` (AutoBalance's
 * `group_size`, 1 for CIFAR-10).
 *
 * Deliberate deviation (the approximation): the official code (`ucr-optml/AutoBalance: core/trainer.py`)
 * takes the implicit gradient −∂(g·p)/∂α with p = η·Σ_{k=0..5} (I − ηH)^k v over the whole network
 * (η = 1, 10 train and 10 validation batches). The lookahead keeps the k = 0 term of that Neumann series
 * (p = η·v, with v taken after the step instead of before it, as DARTS' first-order unroll does) and
 * only the classifier layer's parameters, one train and one validation batch; `createAutoBalance`
 * takes η = the step's learning rate by default (the code's η = 1 overshoots through the classifier alone).
 *
 * Paper: Li, Zhang, Thrampoulidis, Chen, Oymak, "AutoBalance: Optimized Loss Functions for Imbalanced
 * Data", NeurIPS 2021.
 *
 * @see parametricCrossEntropyPerExample, createAutoBalance
 */
import * as tf from '@tensorflow/tfjs-core';

/** A linear classifier's parameters: logits = features·kernel + bias. */
export interface LinearClassifier {
  /** [D, C] */
  readonly kernel: tf.Tensor2D;
  /** [C]; none for a bias-free head. */
  readonly bias?: tf.Tensor1D;
}

/** Features and labels of a batch. */
export interface FeatureBatch {
  /** [N, D] (treated as constants). */
  readonly features: tf.Tensor2D;
  /** [N] int32 labels. */
  readonly labels: tf.Tensor1D;
}

/** What the hypergradient needs. */
export interface HypergradientInputs {
  readonly train: FeatureBatch;
  readonly val: FeatureBatch;
  /** [C] weights ω of the validation loss (`balancedValWeights`). */
  readonly valWeights: tf.Tensor1D;
  readonly classifier: LinearClassifier;
  /** [G] multiplicative parameters (before the sigmoid with 'sigmoid'). */
  readonly dy: tf.Tensor1D;
  /** [G] additive parameters. */
  readonly ly: tf.Tensor1D;
  /** Group of each class, length C, values in 0..G−1. */
  readonly groupOf: Int32Array;
  readonly parametrisation: 'sigmoid' | 'raw';
  /** η of the lookahead step. */
  readonly lookahead: number;
}

/** The hypergradient on the host (a type alias, so a tidy scope can return it). */
export type Hypergradient = {
  /** ∂L_val/∂dy, per group. */
  readonly dy: Float32Array;
  /** ∂L_val/∂ly, per group. */
  readonly ly: Float32Array;
  /** L_val after the lookahead step. */
  readonly valLoss: number;
};

/**
 * The weights of AutoBalance's balanced validation loss: ω_c = (N/n_c) / ‖N/n‖₂ over the classes with
 * validation samples (`core/utils.py`'s `val_weight`), 0 for a class without any.
 */
export const balancedValWeights = (valCounts: readonly number[]): number[] => {
  const total = valCounts.reduce((a, b) => a + b, 0);
  const raw = valCounts.map((n) => (n > 0 ? total / n : 0));
  const norm = Math.sqrt(raw.reduce((a, r) => a + r * r, 0));
  return raw.map((r) => (norm > 0 ? r / norm : 0));
};

/** Softmax cross-entropy per row of `logits` against one-hot rows. */
const crossEntropy = (logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D =>
  tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;

/**
 * The lookahead validation loss as a function of the per-group (dy, ly); see the file comment.
 * Call it inside a tidy or gradient scope.
 */
export const lookaheadValLoss = (inputs: Omit<HypergradientInputs, 'dy' | 'ly'>, dy: tf.Tensor1D, ly: tf.Tensor1D): tf.Scalar => {
  const { train, val, classifier, groupOf, lookahead } = inputs;
  const numClasses = classifier.kernel.shape[1];
  // Per class from per group by a [G, C] membership matrix (the gradient of tf.gather needs
  // UnsortedSegmentSum, which the wasm backend lacks).
  const numGroups = dy.shape[0];
  const membership = new Float32Array(numGroups * numClasses);
  groupOf.forEach((g, c) => (membership[g * numClasses + c] = 1));
  const members = tf.tensor2d(membership, [numGroups, numClasses]);
  const perClass = (v: tf.Tensor1D) => tf.reshape(tf.matMul(tf.reshape(v, [1, numGroups]), members), [numClasses]) as tf.Tensor1D;
  const dyC = perClass(dy);
  const scale = inputs.parametrisation === 'sigmoid' ? tf.sigmoid(dyC) : dyC;
  const lC = perClass(ly);
  const logitsOf = (h: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D | undefined): tf.Tensor2D =>
    (bias === undefined ? tf.matMul(h, kernel) : tf.add(tf.matMul(h, kernel), bias)) as tf.Tensor2D;
  // Closed-form gradient of the mean parametric CE with respect to the classifier.
  const yTrain = tf.oneHot(train.labels, numClasses).toFloat() as tf.Tensor2D;
  const adjusted = tf.add(tf.mul(logitsOf(train.features, classifier.kernel, classifier.bias), scale), lC) as tf.Tensor2D;
  const r = tf.div(tf.mul(tf.sub(tf.softmax(adjusted), yTrain), scale), train.features.shape[0]) as tf.Tensor2D;
  const kernel = tf.sub(classifier.kernel, tf.mul(lookahead, tf.matMul(train.features, r, true, false))) as tf.Tensor2D;
  const bias = classifier.bias === undefined ? undefined : (tf.sub(classifier.bias, tf.mul(lookahead, tf.sum(r, 0))) as tf.Tensor1D);
  // Balanced CE of the raw logits on the validation batch.
  const yVal = tf.oneHot(val.labels, numClasses).toFloat() as tf.Tensor2D;
  const omega = tf.sum(tf.mul(yVal, inputs.valWeights), 1);
  const ce = crossEntropy(logitsOf(val.features, kernel, bias), yVal);
  return tf.div(tf.sum(tf.mul(omega, ce)), tf.maximum(tf.sum(omega), 1e-12)) as tf.Scalar;
};

/**
 * ∂L_val/∂(dy, ly) of the lookahead (see the file comment), computed in its own tidy scope.
 * @throws Error when `groupOf` does not have one entry per class or names a group outside dy
 */
export const autoBalanceHypergradient = (inputs: HypergradientInputs): Hypergradient => {
  const numClasses = inputs.classifier.kernel.shape[1];
  const numGroups = inputs.dy.shape[0];
  if (inputs.groupOf.length !== numClasses) throw new Error(`autoBalanceHypergradient: groupOf has ${inputs.groupOf.length} entries for ${numClasses} classes`);
  if (inputs.ly.shape[0] !== numGroups) throw new Error(`autoBalanceHypergradient: dy has ${numGroups} groups, ly ${inputs.ly.shape[0]}`);
  for (const g of inputs.groupOf) {
    if (!(g >= 0 && g < numGroups)) throw new Error(`autoBalanceHypergradient: group ${g} is outside 0..${numGroups - 1}`);
  }
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((dy: tf.Tensor, ly: tf.Tensor) => lookaheadValLoss(inputs, dy as tf.Tensor1D, ly as tf.Tensor1D))([
      inputs.dy,
      inputs.ly,
    ]);
    return { dy: grads[0]!.dataSync() as Float32Array, ly: grads[1]!.dataSync() as Float32Array, valLoss: value.dataSync()[0]! };
  });
};
