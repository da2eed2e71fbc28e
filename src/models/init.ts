/**
 * Weight initialisation drawn from an `Rng` on the host, so the same seed gives the same weights on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { draw, type Rng } from '../core/rng.js';

let variableCounter = 0;

/** tfjs variable names are global: a logical name gets a process-unique suffix so several models can coexist. */
export const uniqueVariableName = (name: string): string => `${name}#${variableCounter++}`;

/**
 * He/Kaiming normal: N(0, 2 / fanIn), PyTorch's `kaiming_normal_` (mode fan_in, ReLU gain), as
 * LDAM-DRW's `models/resnet_cifar.py` initialises every conv and linear weight.
 */
export const heNormal = (rng: Rng, shape: readonly number[], fanIn: number, name: string): tf.Variable => {
  const size = shape.reduce((a, b) => a * b, 1);
  const std = Math.sqrt(2 / fanIn);
  const [values] = draw(rng, (d) => {
    const v = new Float32Array(size);
    for (let i = 0; i < size; i++) v[i] = d.normal() * std;
    return v;
  });
  // Inside tidy, so the initial-value tensor is freed once the variable holds its data.
  return tf.tidy(() => tf.variable(tf.tensor(values, [...shape]), true, uniqueVariableName(name)));
};

/** A variable filled with `value`. */
export const constantVariable = (shape: readonly number[], value: number, name: string, trainable = true): tf.Variable =>
  tf.tidy(() => tf.variable(tf.fill([...shape], value), trainable, uniqueVariableName(name)));
