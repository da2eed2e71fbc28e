/**
 * ResNet-32 in the CIFAR layout (He et al. 2016 §4.2; LDAM-DRW's `models/resnet_cifar.py`):
 * conv3×3(16)–BN–ReLU, three stages of 5 basic blocks with 16/32/64 channels and strides 1/2/2,
 * option-A shortcuts (subsample by 2, zero-pad channels), global average pooling, linear to C.
 * About 0.46M parameters. The option-A shortcut is a 1×1 stride-2 conv with a fixed 0/1 filter
 * (same values as slicing x[:, ::2, ::2] and padding channels, but fast on wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import { heNormal, constantVariable } from './init.js';
import { headLogits } from './cosine-head.js';
import { batchNormInference, batchNormTraining, type BatchNormState } from './batch-norm.js';
import { disposeVariables, type Model, type ModelEntry, type ModelSpec } from './model.js';

const BLOCKS_PER_STAGE = 5;
const WIDTHS = [16, 32, 64] as const;

/** The fixed [1, 1, cin, cout] filter that copies channel i to channel i + (cout − cin)/2. */
export const optionAShortcutFilter = (cin: number, cout: number): tf.Tensor4D => {
  const values = new Float32Array(cin * cout);
  const offset = Math.floor((cout - cin) / 2);
  for (let i = 0; i < cin; i++) values[i * cout + i + offset] = 1;
  return tf.tensor4d(values, [1, 1, cin, cout]);
};

/** Builds ResNet-32 (or ResNet-(6n+2) with `blocksPerStage = n`) for `spec`, weights from `rng`. */
export const createResNetCifar = (spec: ModelSpec, rng: Rng, blocksPerStage = BLOCKS_PER_STAGE): Model => {
  const trainable = new Map<string, tf.Variable>();
  const state = new Map<string, tf.Variable>();
  const bnStates = new Map<string, BatchNormState>();
  const conv = (name: string, k: number, cin: number, cout: number) =>
    trainable.set(`${name}/kernel`, heNormal(rng.derive(name), [k, k, cin, cout], k * k * cin, `${name}/kernel`));
  const bn = (name: string, ch: number) => {
    trainable.set(`${name}/gamma`, constantVariable([ch], 1, `${name}/gamma`));
    trainable.set(`${name}/beta`, constantVariable([ch], 0, `${name}/beta`));
    const runningMean = constantVariable([ch], 0, `${name}/running_mean`, false);
    const runningVar = constantVariable([ch], 1, `${name}/running_var`, false);
    state.set(`${name}/running_mean`, runningMean);
    state.set(`${name}/running_var`, runningVar);
    bnStates.set(name, { runningMean, runningVar, epsilon: 1e-5, momentum: 0.1 });
  };
  conv('stem/conv', 3, spec.shape.channels, WIDTHS[0]);
  bn('stem/bn', WIDTHS[0]);
  const blocks: Array<{ name: string; cin: number; cout: number; stride: number }> = [];
  let cin: number = WIDTHS[0];
  WIDTHS.forEach((cout, s) => {
    for (let b = 0; b < blocksPerStage; b++) {
      const name = `stage${s + 1}/block${b + 1}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      conv(`${name}/conv1`, 3, cin, cout);
      bn(`${name}/bn1`, cout);
      conv(`${name}/conv2`, 3, cout, cout);
      bn(`${name}/bn2`, cout);
      blocks.push({ name, cin, cout, stride });
      cin = cout;
    }
  });
  const last = WIDTHS[2];
  trainable.set('fc/kernel', heNormal(rng.derive('fc'), [last, spec.numClasses], last, 'fc/kernel'));
  if (spec.head !== 'cosine') trainable.set('fc/bias', constantVariable([spec.numClasses], 0, 'fc/bias'));
  const shortcuts = new Map<string, tf.Tensor4D>();
  for (const b of blocks) if (b.stride !== 1 || b.cin !== b.cout) shortcuts.set(b.name, tf.keep(optionAShortcutFilter(b.cin, b.cout)));

  const p = (k: string) => trainable.get(k)!;
  const variables = { trainable, state };
  return {
    name: 'resnet32',
    variables,
    forward: (x, { training }) =>
      tf.tidy(() => {
        const norm = (h: tf.Tensor4D, name: string) =>
          (training ? batchNormTraining : batchNormInference)(
            h,
            p(`${name}/gamma`) as tf.Tensor1D,
            p(`${name}/beta`) as tf.Tensor1D,
            bnStates.get(name)!,
          );
        const c = (h: tf.Tensor4D, name: string, stride: number) => tf.conv2d(h, p(`${name}/kernel`) as tf.Tensor4D, stride, 'same');
        let h = tf.relu<tf.Tensor4D>(norm(c(x, 'stem/conv', 1), 'stem/bn'));
        for (const b of blocks) {
          const out = tf.relu(norm(c(h, `${b.name}/conv1`, b.stride), `${b.name}/bn1`));
          const res = norm(c(out, `${b.name}/conv2`, 1), `${b.name}/bn2`);
          const filter = shortcuts.get(b.name);
          const skip = filter === undefined ? h : tf.conv2d(h, filter, b.stride, 'valid');
          h = tf.relu(tf.add<tf.Tensor4D>(res, skip));
        }
        const features = tf.mean(h, [1, 2]) as tf.Tensor2D;
        const logits = headLogits(spec.head, features, p('fc/kernel') as tf.Tensor2D, () => p('fc/bias'));
        return { logits, features };
      }),
    dispose: () => {
      disposeVariables(variables);
      for (const f of shortcuts.values()) f.dispose();
    },
  };
};

/** ResNet-32 as a registry entry. */
export const resnet32: ModelEntry = {
  name: 'resnet32',
  summary: 'ResNet-32, CIFAR layout (3 stages × 5 basic blocks, 16/32/64 channels, option-A shortcuts)',
  source: 'He et al. 2016 §4.2; kaidic/LDAM-DRW models/resnet_cifar.py',
  create: (spec, rng) => createResNetCifar(spec, rng),
};
