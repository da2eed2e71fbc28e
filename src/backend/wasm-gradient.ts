/**
 * The one way tailstream overrides a tfjs gradient for the wasm backend: the stock GradConfig is kept
 * and used on every other backend, and wherever the fast gradient declines (returns undefined).
 */
import * as tf from '@tensorflow/tfjs-core';

/** A wasm gradient: the gradient map, or undefined to fall back to tfjs's own for this call. */
export type WasmGradFunc = (dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => ReturnType<tf.GradConfig['gradFunc']> | undefined;

const registered = new Set<string>();

/**
 * Registers `fast` as `kernelName`'s gradient on wasm, wrapping tfjs's stock gradient. Idempotent per kernel.
 * @param fn the caller's name, for the programmer error when tfjs has no gradient to wrap
 */
export const registerWasmGradient = (
  kernelName: string,
  fn: string,
  save: Pick<tf.GradConfig, 'inputsToSave' | 'outputsToSave'>,
  fast: WasmGradFunc,
): void => {
  if (registered.has(kernelName)) return;
  const stock = tf.getGradient(kernelName);
  if (stock === undefined) throw new Error(`${fn}: tfjs has no ${kernelName} gradient to wrap`);
  const config: tf.GradConfig = {
    kernelName,
    ...save,
    gradFunc: (dy, saved, attrs) =>
      (tf.getBackend() === 'wasm' ? fast(dy as tf.Tensor, saved, attrs) : undefined) ?? stock.gradFunc(dy, saved, attrs),
  };
  // tfjs warns on every override; these are deliberate, so keep the console quiet.
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    tf.registerGradient(config);
  } finally {
    console.warn = warn;
  }
  registered.add(kernelName);
};
