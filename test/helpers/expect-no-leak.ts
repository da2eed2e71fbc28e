/** Runs `f` and checks that tfjs holds exactly as many tensors afterwards as before. */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';

export const expectNoLeak = async <T>(f: () => T | Promise<T>): Promise<T> => {
  const before = tf.memory().numTensors;
  const out = await f();
  expect(tf.memory().numTensors).toBe(before);
  return out;
};
