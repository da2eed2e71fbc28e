/**
 * BatchMatMul gradient without transpose flags, for the wasm backend.
 *
 * Intuition: tfjs's gradient of `matMul(a, b)` is `matMul(dy, b, false, true)` and
 * `matMul(a, dy, true, false)`. wasm runs a flagged matMul in a slow scalar loop (a dense layer's
 * weight gradient at MNIST shapes: about 60 ms), but a plain one through XNNPACK (a few ms), and an
 * explicit transpose is cheap next to that. So on wasm every flagged product of the gradient is
 * computed as an explicit transpose followed by a plain matMul. Same products, same values up to
 * float summation order.
 *
 * The transpose is a real copy even where a reshape would do (an axis of length 1): tfjs-wasm caches
 * the XNNPACK operator of a matMul by its right operand's data id, not its shape, so a reshaped view
 * of a tensor already used as a right operand with another shape would reuse a stale operator and
 * produce garbage (measured with tfjs 4.22; the tests cover it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmGradient } from './wasm-gradient.js';

/** `x` with its last two axes swapped, always in a new buffer (see above). */
export const swapLastAxes = (x: tf.Tensor): tf.Tensor => {
  const r = x.rank;
  const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
  return tf.transpose(x, perm);
};

/** `matMul(a, b, transposeA, transposeB)` computed as explicit transposes and a flag-free matMul. */
export const matMulNoFlags = (a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor =>
  tf.tidy(() => tf.matMul(transposeA ? swapLastAxes(a) : a, transposeB ? swapLastAxes(b) : b));

/**
 * Registers the BatchMatMul gradient above for the wasm backend (other backends keep tfjs's own gradient). Idempotent.
 */
export const registerFastMatMulGradient = (): void =>
  registerWasmGradient(tf.BatchMatMul, 'registerFastMatMulGradient', { inputsToSave: ['a', 'b'] }, (g, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const mm = matMulNoFlags;
    // The four cases of tfjs's own gradient, term by term.
    if (!transposeA && !transposeB) return { a: () => mm(g, b, false, true), b: () => mm(a, g, true, false) };
    if (!transposeA && transposeB) return { a: () => mm(g, b, false, false), b: () => mm(g, a, true, false) };
    if (transposeA && !transposeB) return { a: () => mm(b, g, false, true), b: () => mm(a, g, false, false) };
    return { a: () => mm(b, g, true, true), b: () => mm(g, a, true, true) };
  });
