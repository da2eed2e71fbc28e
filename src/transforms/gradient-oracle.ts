/**
 * The gradient oracle: what the training context lends an operator that needs the model (GAE's
 * guided adversarial examples), so the operator itself stays a host-side function of typed arrays.
 *
 * Intuition: an adversarial attack needs two things from the network, "which way is uphill for the
 * loss of the true label?" and "what does the model predict right now?". The oracle answers both for
 * a host batch and returns plain typed arrays: every tensor it makes is created and disposed inside
 * one `tf.tidy`, and nothing tensor crosses the boundary (ARCHITECTURE.md, rule 1).
 *
 * Formula (per example i of the query, logits z = f(x)):
 *   gradient_i  = ∂ CE(z_i, y_i) / ∂x_i,   CE(z, y) = −log softmax(z)_y
 *   predicted_i = argmax_k z_ik
 * computed as the gradient of Σ_i CE_i, which equals each example's own gradient because the forward
 * runs in inference mode (batch norm with its running statistics), so examples do not interact.
 *
 * Paper: Zhang, Zhang, Li, Wu, "Adversarial Examples for Good: Adversarial Examples Guided Imbalanced
 * Learning", ICIP 2022 (arXiv 2201.12356); official code `zj-jayzhang/Guided_Adversarial_Examples:
 * train_adv.py` (`GA_PGD`). That code differentiates the *mean* CE over the attacked subset; the
 * gradient of the sum differs by the positive factor M (subset size), which changes neither
 * sign(∇) (L∞ steps) nor ∇/‖∇‖ (L2 steps).
 *
 * @see guidedAdversarial (the operator that consumes it)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SampleShape } from '../core/host-batch.js';

/** What an oracle is asked: NHWC images (normalised like the batches) and their labels. */
export interface OracleQuery {
  /** Pixels, NHWC, `y.length · height · width · channels` floats. */
  readonly x: Float32Array;
  /** The label whose cross-entropy is differentiated, per image. */
  readonly y: Int32Array;
  readonly shape: SampleShape;
}

/** An oracle's answer, on the host. */
export interface OracleAnswer {
  /** ∂ CE(f(x_i), y_i) / ∂x_i per image, NHWC like the query (float32). */
  readonly gradient: Float32Array;
  /** The model's predicted class argmax_k f(x_i)_k per image. */
  readonly predicted: Int32Array;
}

/**
 * The per-example input gradient of the true label's cross-entropy and the predicted classes of a
 * host batch. Synchronous and host-in, host-out: an implementation owns every tensor it creates.
 */
export type GradientOracle = (query: OracleQuery) => OracleAnswer;

/**
 * What `modelGradientOracle` needs of a model: its forward pass (a tailstream `Model` fits; typed
 * structurally so that transforms do not import the models layer).
 */
export interface OracleModel {
  forward(x: tf.Tensor4D, options: { readonly training: boolean }): { readonly logits: tf.Tensor2D };
}

/**
 * The oracle of a model: one forward in inference mode (`training: false`: batch norm uses and keeps
 * its running statistics) and one backward, inside one `tf.tidy`; answers are fresh typed arrays.
 *
 * Inference mode follows the official code, whose `GA_PGD` calls `model.eval()` (and, as a side
 * effect, nothing switches the model back to training mode in the fine-tuning epoch; see the method
 * sheet §8). It also makes the answer for one image independent of the others in the query.
 *
 * @throws Error when the query's arrays disagree with its shape
 */
export const modelGradientOracle =
  (model: OracleModel): GradientOracle =>
  (query) => {
    const { height, width, channels } = query.shape;
    const n = query.y.length;
    const per = height * width * channels;
    if (query.x.length !== n * per) throw new Error(`modelGradientOracle: x has ${query.x.length} floats, expected ${n} × ${per}`);
    if (n === 0) return { gradient: new Float32Array(0), predicted: new Int32Array(0) };
    return tf.tidy(() => {
      const x = tf.tensor4d(query.x, [n, height, width, channels]);
      const labels = tf.tensor1d(query.y, 'int32');
      let predicted: Int32Array | undefined;
      const perExampleCe = (input: tf.Tensor): tf.Tensor => {
        const { logits } = model.forward(input as tf.Tensor4D, { training: false });
        predicted = new Int32Array(tf.argMax(logits, 1).dataSync());
        const target = tf.oneHot(labels, logits.shape[1]);
        return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1));
      };
      // d(Σ_i CE_i)/dx: grad's default upstream gradient is ones over the [N] losses.
      const gradient = new Float32Array(tf.grad(perExampleCe)(x).dataSync());
      return { gradient, predicted: predicted! };
    });
  };
