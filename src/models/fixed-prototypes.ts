/**
 * Fixed class prototypes at maximally separated directions (a simplex equiangular tight frame), and a
 * model view whose classifier is the cosine to those frozen prototypes.
 *
 * Intuition: instead of learning the classifier — whose head-class weights grow longer and pull the
 * boundary toward the tail — anchor every class at a fixed unit vector with the same pairwise angle,
 * w_iᵀw_j = −1/(K − 1), and let only the features move. Logits are s·cos(x, w_j).
 *
 * Source: PAL (Zhou, Liu, Zhai, Jiang, Gao, Ji, "Prototype-Anchored Learning for Learning with
 * Imperfect Annotations", ICML 2022) anchors class prototypes; its code is not available to us, and the
 * details here (a simplex ETF when K ≤ D + 1, cosine logits with a scale s) are our reading of the
 * method, an approximation of PAL rather than a verified re-implementation. For K > D + 1 the paper
 * pre-computes prototypes by minimising the largest pairwise cosine; that case is not implemented.
 *
 * Construction: the centred basis vectors e_j − 1/K of R^K span a (K − 1)-dimensional subspace; their
 * coordinates in an orthonormal basis of it (Gram–Schmidt), normalised, padded with zeros to D.
 *
 * @see cosineLogits, ldam (a margin loss meant for cosine logits)
 */
import * as tf from '@tensorflow/tfjs-core';
import { cosineLogits } from './cosine-head.js';
import type { Model } from './model.js';

/**
 * K unit vectors in R^D with pairwise inner products −1/(K − 1), as a row-major [D, K] kernel (class j is column j).
 * @throws Error when K < 2 or K > D + 1
 */
export const simplexEtfPrototypes = (numClasses: number, dim: number): Float32Array => {
  const k = numClasses;
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`simplexEtfPrototypes: need at least 2 classes, got ${k}`);
  if (!(Number.isInteger(dim) && k <= dim + 1)) throw new Error(`simplexEtfPrototypes: ${k} classes need at least ${k - 1} feature dimensions, got ${dim}`);
  const centred = Array.from({ length: k }, (_, j) => Array.from({ length: k }, (_, i) => (i === j ? 1 : 0) - 1 / k));
  // Orthonormal basis of span(centred) by Gram–Schmidt on the first K − 1 (independent) vectors.
  const basis: number[][] = [];
  for (let j = 0; j < k - 1; j++) {
    const v = [...centred[j]!];
    for (const b of basis) {
      const dot = v.reduce((s, x, i) => s + x * b[i]!, 0);
      for (let i = 0; i < k; i++) v[i]! -= dot * b[i]!;
    }
    const norm = Math.hypot(...v);
    basis.push(v.map((x) => x / norm));
  }
  const out = new Float32Array(dim * k);
  for (let j = 0; j < k; j++) {
    const coords = basis.map((b) => b.reduce((s, x, i) => s + x * centred[j]![i]!, 0));
    const norm = Math.hypot(...coords);
    coords.forEach((c, d) => {
      out[d * k + j] = c / norm;
    });
  }
  return out;
};

/**
 * `base` with its classifier replaced by s·cos(features, P) for fixed prototypes P ([D, K], e.g.
 * `simplexEtfPrototypes(K, D)`). The base's own classifier variables stay but get no gradient.
 * `dispose` frees the prototypes and the base model.
 * @throws Error when the scale is not positive
 */
export const withFixedPrototypes = (base: Model, prototypes: Float32Array, featureDim: number, scale = 1): Model => {
  if (!(scale > 0)) throw new Error(`withFixedPrototypes: the scale must be positive, got ${scale}`);
  const numClasses = prototypes.length / featureDim;
  const kernel = tf.keep(tf.tensor2d(prototypes, [featureDim, numClasses]));
  return {
    name: `${base.name}+prototypes`,
    variables: base.variables,
    forward: (x, options) =>
      tf.tidy(() => {
        const { features } = base.forward(x, options);
        return { logits: tf.mul(cosineLogits(features, kernel), scale) as tf.Tensor2D, features };
      }),
    dispose: () => {
      kernel.dispose();
      base.dispose();
    },
  };
};
