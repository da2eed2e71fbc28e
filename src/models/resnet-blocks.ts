/**
 * Building blocks of CIFAR ResNets (He et al. 2016 §4.2, LDAM-DRW's `models/resnet_cifar.py`) for the
 * models that rearrange them: BBN's two branches, DAR-BN's routed normalisation. Same variable names,
 * initialisation and option-A shortcuts as `createResNetCifar`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import { heNormal, constantVariable } from './init.js';
import type { BatchNormState } from './batch-norm.js';
import { optionAShortcutFilter } from './resnet32.js';

/** A basic block: conv3×3–BN–ReLU–conv3×3–BN, plus the (option-A) shortcut, then ReLU. */
export interface BlockSpec {
  readonly name: string;
  readonly cin: number;
  readonly cout: number;
  readonly stride: number;
}

/** A normalisation layer by name, as a forward pass applies it (training or inference, plain or routed). */
export type NormLayer = (h: tf.Tensor4D, name: string) => tf.Tensor4D;

/** Variables and constants of a ResNet under construction. */
export interface ResNetParts {
  readonly trainable: Map<string, tf.Variable>;
  readonly state: Map<string, tf.Variable>;
  readonly bnStates: Map<string, BatchNormState>;
  /** Fixed option-A shortcut filters by block name. */
  readonly shortcuts: Map<string, tf.Tensor4D>;
  /** Adds a He-normal k×k conv kernel `name/kernel` drawn from `rng.derive(name)`. */
  conv(name: string, k: number, cin: number, cout: number): void;
  /** Adds batch norm `name` (γ = 1, β = 0, running mean 0, variance 1; ε 1e-5, momentum 0.1). */
  bn(name: string, channels: number): void;
  /** Adds a basic block's variables and returns its spec. */
  block(name: string, cin: number, cout: number, stride: number): BlockSpec;
  /** The variable called `key`. */
  p(key: string): tf.Variable;
  /** Frees the shortcut filters (the variables belong to the model's `disposeVariables`). */
  disposeConstants(): void;
}

/** Starts a ResNet's parts, drawing every weight from `rng` by its layer name. */
export const resNetParts = (rng: Rng): ResNetParts => {
  const trainable = new Map<string, tf.Variable>();
  const state = new Map<string, tf.Variable>();
  const bnStates = new Map<string, BatchNormState>();
  const shortcuts = new Map<string, tf.Tensor4D>();
  const conv = (name: string, k: number, cin: number, cout: number) => {
    trainable.set(`${name}/kernel`, heNormal(rng.derive(name), [k, k, cin, cout], k * k * cin, `${name}/kernel`));
  };
  const bn = (name: string, ch: number) => {
    trainable.set(`${name}/gamma`, constantVariable([ch], 1, `${name}/gamma`));
    trainable.set(`${name}/beta`, constantVariable([ch], 0, `${name}/beta`));
    const runningMean = constantVariable([ch], 0, `${name}/running_mean`, false);
    const runningVar = constantVariable([ch], 1, `${name}/running_var`, false);
    state.set(`${name}/running_mean`, runningMean);
    state.set(`${name}/running_var`, runningVar);
    bnStates.set(name, { runningMean, runningVar, epsilon: 1e-5, momentum: 0.1 });
  };
  return {
    trainable,
    state,
    bnStates,
    shortcuts,
    conv,
    bn,
    block: (name, cin, cout, stride) => {
      conv(`${name}/conv1`, 3, cin, cout);
      bn(`${name}/bn1`, cout);
      conv(`${name}/conv2`, 3, cout, cout);
      bn(`${name}/bn2`, cout);
      if (stride !== 1 || cin !== cout) shortcuts.set(name, tf.keep(optionAShortcutFilter(cin, cout)));
      return { name, cin, cout, stride };
    },
    p: (key) => {
      const v = trainable.get(key);
      if (v === undefined) throw new Error(`resNetParts: no variable '${key}'`);
      return v;
    },
    disposeConstants: () => {
      for (const f of shortcuts.values()) f.dispose();
    },
  };
};

/** conv (same padding) with the kernel `name/kernel`. */
export const convLayer = (parts: ResNetParts, h: tf.Tensor4D, name: string, stride: number): tf.Tensor4D =>
  tf.conv2d(h, parts.p(`${name}/kernel`) as tf.Tensor4D, stride, 'same');

/** One basic block's forward pass with normalisation `norm`. */
export const basicBlock = (parts: ResNetParts, h: tf.Tensor4D, b: BlockSpec, norm: NormLayer): tf.Tensor4D => {
  const out = tf.relu(norm(convLayer(parts, h, `${b.name}/conv1`, b.stride), `${b.name}/bn1`));
  const res = norm(convLayer(parts, out, `${b.name}/conv2`, 1), `${b.name}/bn2`);
  const filter = parts.shortcuts.get(b.name);
  const skip = filter === undefined ? h : tf.conv2d(h, filter, b.stride, 'valid');
  return tf.relu(tf.add<tf.Tensor4D>(res, skip));
};

/** The standard stage layout: 16/32/64 channels, strides 1/2/2, `blocksPerStage` blocks each (named like `createResNetCifar`). */
export const cifarBlockSpecs = (blocksPerStage: number, inChannels = 16): BlockSpec[] => {
  const blocks: BlockSpec[] = [];
  let cin = inChannels;
  [16, 32, 64].forEach((cout, s) => {
    for (let b = 0; b < blocksPerStage; b++) {
      blocks.push({ name: `stage${s + 1}/block${b + 1}`, cin, cout, stride: s > 0 && b === 0 ? 2 : 1 });
      cin = cout;
    }
  });
  return blocks;
};
