import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { registerWasmGradient } from '../../src/backend/wasm-gradient.js';

describe('registerWasmGradient', () => {
  it('uses the fast gradient on wasm only, falls back where it declines, and registers once', async () => {
    let calls = 0;
    let decline = false;
    // A correct Neg gradient (−dy), counted, so the rest of the suite is unaffected.
    const register = () =>
      registerWasmGradient(tf.Neg, 'test', {}, (dy) => {
        calls++;
        return decline ? undefined : { x: () => tf.neg(dy) };
      });
    register();
    register();
    const grad = () => tf.tidy(() => [...tf.grad((x: tf.Tensor) => tf.sum(tf.neg(x)))(tf.tensor1d([1, 2])).dataSync()]);

    await initBackend('cpu');
    expect(grad()).toEqual([-1, -1]);
    expect(calls).toBe(0);

    await initBackend('wasm');
    expect(grad()).toEqual([-1, -1]);
    expect(calls).toBe(1);
    decline = true;
    expect(grad()).toEqual([-1, -1]);
    expect(calls).toBe(2);
  });

  it('names the caller when tfjs has no gradient to wrap', () => {
    expect(() => registerWasmGradient('NoSuchKernel', 'registerSomething', {}, () => undefined)).toThrow(
      'registerSomething: tfjs has no NoSuchKernel gradient to wrap',
    );
  });
});
